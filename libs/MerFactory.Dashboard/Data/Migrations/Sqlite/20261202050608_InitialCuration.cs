using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MerFactory.Dashboard.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class InitialCuration : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "Edits",
                columns: table => new
                {
                    RecordId = table.Column<string>(type: "TEXT", nullable: false),
                    Field = table.Column<string>(type: "TEXT", nullable: false),
                    Value = table.Column<string>(type: "TEXT", nullable: false),
                    Original = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Edits", x => new { x.RecordId, x.Field });
                });

            migrationBuilder.CreateTable(
                name: "Metrics",
                columns: table => new
                {
                    RecordId = table.Column<string>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", nullable: false),
                    Value = table.Column<double>(type: "REAL", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Metrics", x => new { x.RecordId, x.Name });
                });

            migrationBuilder.CreateTable(
                name: "Preferences",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    RecordId = table.Column<string>(type: "TEXT", nullable: false),
                    Field = table.Column<string>(type: "TEXT", nullable: false),
                    ChosenSystem = table.Column<string>(type: "TEXT", nullable: false),
                    RejectedSystem = table.Column<string>(type: "TEXT", nullable: false),
                    ChosenPrompts = table.Column<string>(type: "TEXT", nullable: false),
                    RejectedPrompts = table.Column<string>(type: "TEXT", nullable: false),
                    ChosenText = table.Column<string>(type: "TEXT", nullable: false),
                    RejectedText = table.Column<string>(type: "TEXT", nullable: false),
                    Author = table.Column<string>(type: "TEXT", nullable: false),
                    At = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Preferences", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Prompts",
                columns: table => new
                {
                    Version = table.Column<int>(type: "INTEGER", nullable: false),
                    Json = table.Column<string>(type: "TEXT", nullable: false),
                    Author = table.Column<string>(type: "TEXT", nullable: false),
                    Note = table.Column<string>(type: "TEXT", nullable: false),
                    At = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Prompts", x => x.Version);
                });

            migrationBuilder.CreateTable(
                name: "Records",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", nullable: false),
                    Type = table.Column<string>(type: "TEXT", nullable: false),
                    Emotion = table.Column<string>(type: "TEXT", nullable: true),
                    Label = table.Column<string>(type: "TEXT", nullable: true),
                    Model = table.Column<string>(type: "TEXT", nullable: true),
                    SearchText = table.Column<string>(type: "TEXT", nullable: false),
                    Rating = table.Column<int>(type: "INTEGER", nullable: true),
                    State = table.Column<string>(type: "TEXT", nullable: false),
                    Tier = table.Column<string>(type: "TEXT", nullable: false),
                    SourceStamp = table.Column<long>(type: "INTEGER", nullable: false),
                    HasEval = table.Column<bool>(type: "INTEGER", nullable: false),
                    ReviewedAt = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Records", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Revisions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    RecordId = table.Column<string>(type: "TEXT", nullable: false),
                    Field = table.Column<string>(type: "TEXT", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", nullable: false),
                    Author = table.Column<string>(type: "TEXT", nullable: false),
                    At = table.Column<DateTime>(type: "TEXT", nullable: false),
                    OldValue = table.Column<string>(type: "TEXT", nullable: false),
                    NewValue = table.Column<string>(type: "TEXT", nullable: false),
                    Diff = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Revisions", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "RunConfigs",
                columns: table => new
                {
                    Name = table.Column<string>(type: "TEXT", nullable: false),
                    Json = table.Column<string>(type: "TEXT", nullable: false),
                    At = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RunConfigs", x => x.Name);
                });

            migrationBuilder.CreateTable(
                name: "Tags",
                columns: table => new
                {
                    RecordId = table.Column<string>(type: "TEXT", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", nullable: false),
                    Value = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Tags", x => new { x.RecordId, x.Kind, x.Value });
                });

            migrationBuilder.CreateIndex(
                name: "IX_Metrics_Name_Value",
                table: "Metrics",
                columns: new[] { "Name", "Value" });

            migrationBuilder.CreateIndex(
                name: "IX_Preferences_RecordId",
                table: "Preferences",
                column: "RecordId");

            migrationBuilder.CreateIndex(
                name: "IX_Records_Emotion",
                table: "Records",
                column: "Emotion");

            migrationBuilder.CreateIndex(
                name: "IX_Records_Label",
                table: "Records",
                column: "Label");

            migrationBuilder.CreateIndex(
                name: "IX_Records_Rating",
                table: "Records",
                column: "Rating");

            migrationBuilder.CreateIndex(
                name: "IX_Records_State",
                table: "Records",
                column: "State");

            migrationBuilder.CreateIndex(
                name: "IX_Records_Tier",
                table: "Records",
                column: "Tier");

            migrationBuilder.CreateIndex(
                name: "IX_Records_Type",
                table: "Records",
                column: "Type");

            migrationBuilder.CreateIndex(
                name: "IX_Revisions_RecordId_Field",
                table: "Revisions",
                columns: new[] { "RecordId", "Field" });

            migrationBuilder.CreateIndex(
                name: "IX_Tags_Kind_Value",
                table: "Tags",
                columns: new[] { "Kind", "Value" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Edits");

            migrationBuilder.DropTable(
                name: "Metrics");

            migrationBuilder.DropTable(
                name: "Preferences");

            migrationBuilder.DropTable(
                name: "Prompts");

            migrationBuilder.DropTable(
                name: "Records");

            migrationBuilder.DropTable(
                name: "Revisions");

            migrationBuilder.DropTable(
                name: "RunConfigs");

            migrationBuilder.DropTable(
                name: "Tags");
        }
    }
}
