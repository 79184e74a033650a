using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace MerFactory.Dashboard.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class InitialCuration : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.EnsureSchema(
                name: "curation");

            migrationBuilder.CreateTable(
                name: "Edits",
                schema: "curation",
                columns: table => new
                {
                    RecordId = table.Column<string>(type: "text", nullable: false),
                    Field = table.Column<string>(type: "text", nullable: false),
                    Value = table.Column<string>(type: "text", nullable: false),
                    Original = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Edits", x => new { x.RecordId, x.Field });
                });

            migrationBuilder.CreateTable(
                name: "Metrics",
                schema: "curation",
                columns: table => new
                {
                    RecordId = table.Column<string>(type: "text", nullable: false),
                    Name = table.Column<string>(type: "text", nullable: false),
                    Value = table.Column<double>(type: "double precision", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Metrics", x => new { x.RecordId, x.Name });
                });

            migrationBuilder.CreateTable(
                name: "Preferences",
                schema: "curation",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    RecordId = table.Column<string>(type: "text", nullable: false),
                    Field = table.Column<string>(type: "text", nullable: false),
                    ChosenSystem = table.Column<string>(type: "text", nullable: false),
                    RejectedSystem = table.Column<string>(type: "text", nullable: false),
                    ChosenPrompts = table.Column<string>(type: "text", nullable: false),
                    RejectedPrompts = table.Column<string>(type: "text", nullable: false),
                    ChosenText = table.Column<string>(type: "text", nullable: false),
                    RejectedText = table.Column<string>(type: "text", nullable: false),
                    Author = table.Column<string>(type: "text", nullable: false),
                    At = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Preferences", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Prompts",
                schema: "curation",
                columns: table => new
                {
                    Version = table.Column<int>(type: "integer", nullable: false),
                    Json = table.Column<string>(type: "text", nullable: false),
                    Author = table.Column<string>(type: "text", nullable: false),
                    Note = table.Column<string>(type: "text", nullable: false),
                    At = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Prompts", x => x.Version);
                });

            migrationBuilder.CreateTable(
                name: "Records",
                schema: "curation",
                columns: table => new
                {
                    Id = table.Column<string>(type: "text", nullable: false),
                    Type = table.Column<string>(type: "text", nullable: false),
                    Emotion = table.Column<string>(type: "text", nullable: true),
                    Label = table.Column<string>(type: "text", nullable: true),
                    Model = table.Column<string>(type: "text", nullable: true),
                    SearchText = table.Column<string>(type: "text", nullable: false),
                    Rating = table.Column<int>(type: "integer", nullable: true),
                    State = table.Column<string>(type: "text", nullable: false),
                    Tier = table.Column<string>(type: "text", nullable: false),
                    SourceStamp = table.Column<long>(type: "bigint", nullable: false),
                    HasEval = table.Column<bool>(type: "boolean", nullable: false),
                    ReviewedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Records", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Revisions",
                schema: "curation",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    RecordId = table.Column<string>(type: "text", nullable: false),
                    Field = table.Column<string>(type: "text", nullable: false),
                    Kind = table.Column<string>(type: "text", nullable: false),
                    Author = table.Column<string>(type: "text", nullable: false),
                    At = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    OldValue = table.Column<string>(type: "text", nullable: false),
                    NewValue = table.Column<string>(type: "text", nullable: false),
                    Diff = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Revisions", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "RunConfigs",
                schema: "curation",
                columns: table => new
                {
                    Name = table.Column<string>(type: "text", nullable: false),
                    Json = table.Column<string>(type: "text", nullable: false),
                    At = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RunConfigs", x => x.Name);
                });

            migrationBuilder.CreateTable(
                name: "Tags",
                schema: "curation",
                columns: table => new
                {
                    RecordId = table.Column<string>(type: "text", nullable: false),
                    Kind = table.Column<string>(type: "text", nullable: false),
                    Value = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Tags", x => new { x.RecordId, x.Kind, x.Value });
                });

            migrationBuilder.CreateIndex(
                name: "IX_Metrics_Name_Value",
                schema: "curation",
                table: "Metrics",
                columns: new[] { "Name", "Value" });

            migrationBuilder.CreateIndex(
                name: "IX_Preferences_RecordId",
                schema: "curation",
                table: "Preferences",
                column: "RecordId");

            migrationBuilder.CreateIndex(
                name: "IX_Records_Emotion",
                schema: "curation",
                table: "Records",
                column: "Emotion");

            migrationBuilder.CreateIndex(
                name: "IX_Records_Label",
                schema: "curation",
                table: "Records",
                column: "Label");

            migrationBuilder.CreateIndex(
                name: "IX_Records_Rating",
                schema: "curation",
                table: "Records",
                column: "Rating");

            migrationBuilder.CreateIndex(
                name: "IX_Records_State",
                schema: "curation",
                table: "Records",
                column: "State");

            migrationBuilder.CreateIndex(
                name: "IX_Records_Tier",
                schema: "curation",
                table: "Records",
                column: "Tier");

            migrationBuilder.CreateIndex(
                name: "IX_Records_Type",
                schema: "curation",
                table: "Records",
                column: "Type");

            migrationBuilder.CreateIndex(
                name: "IX_Revisions_RecordId_Field",
                schema: "curation",
                table: "Revisions",
                columns: new[] { "RecordId", "Field" });

            migrationBuilder.CreateIndex(
                name: "IX_Tags_Kind_Value",
                schema: "curation",
                table: "Tags",
                columns: new[] { "Kind", "Value" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Edits",
                schema: "curation");

            migrationBuilder.DropTable(
                name: "Metrics",
                schema: "curation");

            migrationBuilder.DropTable(
                name: "Preferences",
                schema: "curation");

            migrationBuilder.DropTable(
                name: "Prompts",
                schema: "curation");

            migrationBuilder.DropTable(
                name: "Records",
                schema: "curation");

            migrationBuilder.DropTable(
                name: "Revisions",
                schema: "curation");

            migrationBuilder.DropTable(
                name: "RunConfigs",
                schema: "curation");

            migrationBuilder.DropTable(
                name: "Tags",
                schema: "curation");
        }
    }
}
