-- The job database as the job service created it before EF Core migrations (main at f608fd9 and earlier:
-- tables created from the model at start). Generated with `dotnet ef dbcontext script` from that model.
CREATE TABLE job_events (
    "JobId" uuid NOT NULL,
    "Run" integer NOT NULL,
    "Sequence" integer NOT NULL,
    "Event" bytea NOT NULL,
    CONSTRAINT "PK_job_events" PRIMARY KEY ("JobId", "Run", "Sequence")
);


CREATE TABLE jobs (
    "Id" uuid NOT NULL,
    "Owner" text NOT NULL,
    "OptionsJson" text NOT NULL,
    "InputsJson" text NOT NULL,
    "SubmittedAt" timestamp with time zone NOT NULL,
    "Run" integer NOT NULL,
    "Completed" boolean NOT NULL,
    "CompletedAt" timestamp with time zone,
    "FilesTotal" integer NOT NULL,
    "FilesDone" integer NOT NULL,
    "FilesFailed" integer NOT NULL,
    "ErrorsJson" text NOT NULL,
    "OutputsJson" text NOT NULL,
    CONSTRAINT "PK_jobs" PRIMARY KEY ("Id")
);


CREATE INDEX "IX_jobs_Completed" ON jobs ("Completed");


CREATE INDEX "IX_jobs_Owner_Completed" ON jobs ("Owner", "Completed");



