using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MerFactory.Dashboard.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class RecordFacetsIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Databases made by EnsureCreated after the index was added to the model already have it (they are adopted at
            // the first migration); a plain CreateIndex would fail there.
            migrationBuilder.Sql("""CREATE INDEX IF NOT EXISTS "IX_Records_Facets" ON "Records" ("Type", "State", "Tier", "Rating", "Label");""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Records_Facets",
                table: "Records");
        }
    }
}
