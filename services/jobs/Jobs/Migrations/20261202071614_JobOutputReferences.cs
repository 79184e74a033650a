using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MerFactory.JobApi.Jobs.Migrations
{
    /// <inheritdoc />
    public partial class JobOutputReferences : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "job_output_refs",
                columns: table => new
                {
                    Owner = table.Column<string>(type: "text", nullable: false),
                    Key = table.Column<string>(type: "text", nullable: false),
                    JobId = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_job_output_refs", x => new { x.Owner, x.Key });
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "job_output_refs");
        }
    }
}
