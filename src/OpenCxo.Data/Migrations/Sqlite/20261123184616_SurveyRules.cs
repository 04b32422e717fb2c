using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenCxo.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SurveyRules : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "survey_opt_outs",
                columns: table => new
                {
                    workspace_id = table.Column<long>(type: "INTEGER", nullable: false),
                    customer_id = table.Column<long>(type: "INTEGER", nullable: false),
                    at = table.Column<long>(type: "INTEGER", nullable: false),
                    source = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_survey_opt_outs", x => new { x.workspace_id, x.customer_id });
                });

            migrationBuilder.CreateTable(
                name: "survey_rules",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    workspace_id = table.Column<long>(type: "INTEGER", nullable: false),
                    survey_id = table.Column<long>(type: "INTEGER", nullable: false),
                    event_type = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    department = table.Column<string>(type: "TEXT", maxLength: 20, nullable: true),
                    channel = table.Column<string>(type: "TEXT", maxLength: 20, nullable: true),
                    delay_minutes = table.Column<int>(type: "INTEGER", nullable: false),
                    delivery = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    webhook_url = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    seq = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_survey_rules", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_survey_rules_workspace_id_survey_id",
                table: "survey_rules",
                columns: new[] { "workspace_id", "survey_id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "survey_opt_outs");

            migrationBuilder.DropTable(
                name: "survey_rules");
        }
    }
}
