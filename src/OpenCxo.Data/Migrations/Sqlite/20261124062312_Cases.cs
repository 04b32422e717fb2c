using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenCxo.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Cases : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "case_notes",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    workspace_id = table.Column<long>(type: "INTEGER", nullable: false),
                    case_id = table.Column<long>(type: "INTEGER", nullable: false),
                    at = table.Column<long>(type: "INTEGER", nullable: false),
                    author = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    text = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_case_notes", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "case_opener_state",
                columns: table => new
                {
                    id = table.Column<int>(type: "INTEGER", nullable: false),
                    interaction_seq = table.Column<long>(type: "INTEGER", nullable: false),
                    text_analysis_id = table.Column<long>(type: "INTEGER", nullable: false),
                    model_run_id = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_case_opener_state", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "case_settings",
                columns: table => new
                {
                    workspace_id = table.Column<long>(type: "INTEGER", nullable: false),
                    settings_json = table.Column<string>(type: "TEXT", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_case_settings", x => x.workspace_id);
                });

            migrationBuilder.CreateTable(
                name: "cases",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    workspace_id = table.Column<long>(type: "INTEGER", nullable: false),
                    customer_id = table.Column<long>(type: "INTEGER", nullable: false),
                    trigger_key = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    rule_key = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    trigger = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    reason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    source_seq = table.Column<long>(type: "INTEGER", nullable: true),
                    department = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    team = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    owner = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    priority = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    opened_at = table.Column<long>(type: "INTEGER", nullable: false),
                    due_at = table.Column<long>(type: "INTEGER", nullable: false),
                    first_contact_at = table.Column<long>(type: "INTEGER", nullable: true),
                    closed_at = table.Column<long>(type: "INTEGER", nullable: true),
                    escalated_at = table.Column<long>(type: "INTEGER", nullable: true),
                    escalated_to = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    root_cause = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_cases", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_case_notes_workspace_id_case_id_at",
                table: "case_notes",
                columns: new[] { "workspace_id", "case_id", "at" });

            migrationBuilder.CreateIndex(
                name: "IX_cases_workspace_id_customer_id",
                table: "cases",
                columns: new[] { "workspace_id", "customer_id" });

            migrationBuilder.CreateIndex(
                name: "IX_cases_workspace_id_status_due_at",
                table: "cases",
                columns: new[] { "workspace_id", "status", "due_at" });

            migrationBuilder.CreateIndex(
                name: "IX_cases_workspace_id_trigger_key",
                table: "cases",
                columns: new[] { "workspace_id", "trigger_key" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "case_notes");

            migrationBuilder.DropTable(
                name: "case_opener_state");

            migrationBuilder.DropTable(
                name: "case_settings");

            migrationBuilder.DropTable(
                name: "cases");
        }
    }
}
