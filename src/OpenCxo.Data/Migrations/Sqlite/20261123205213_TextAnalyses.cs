using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenCxo.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class TextAnalyses : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "text_analyses",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    interaction_seq = table.Column<long>(type: "INTEGER", nullable: false),
                    workspace_id = table.Column<long>(type: "INTEGER", nullable: false),
                    analyzer = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    language = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    sentiment = table.Column<double>(type: "REAL", nullable: false),
                    themes = table.Column<string>(type: "TEXT", nullable: false),
                    flags = table.Column<string>(type: "TEXT", nullable: false),
                    redacted = table.Column<string>(type: "TEXT", nullable: false),
                    redactions = table.Column<int>(type: "INTEGER", nullable: false),
                    analyzed_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_text_analyses", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "text_analysis_state",
                columns: table => new
                {
                    id = table.Column<int>(type: "INTEGER", nullable: false),
                    interaction_seq = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_text_analysis_state", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "text_taxonomies",
                columns: table => new
                {
                    workspace_id = table.Column<long>(type: "INTEGER", nullable: false),
                    json = table.Column<string>(type: "TEXT", nullable: false),
                    revision = table.Column<int>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_by = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_text_taxonomies", x => x.workspace_id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_text_analyses_interaction_seq",
                table: "text_analyses",
                column: "interaction_seq",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "text_analyses");

            migrationBuilder.DropTable(
                name: "text_analysis_state");

            migrationBuilder.DropTable(
                name: "text_taxonomies");
        }
    }
}
