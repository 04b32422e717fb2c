using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenCxo.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Predictions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "customer_scores",
                columns: table => new
                {
                    workspace_id = table.Column<long>(type: "INTEGER", nullable: false),
                    customer_id = table.Column<long>(type: "INTEGER", nullable: false),
                    run_id = table.Column<long>(type: "INTEGER", nullable: false),
                    churn_risk = table.Column<double>(type: "REAL", nullable: true),
                    churn_reasons_json = table.Column<string>(type: "TEXT", nullable: true),
                    probability_alive = table.Column<double>(type: "REAL", nullable: true),
                    expected_purchases = table.Column<double>(type: "REAL", nullable: true),
                    expected_spend = table.Column<double>(type: "REAL", nullable: true),
                    lifetime_value = table.Column<double>(type: "REAL", nullable: true),
                    currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_customer_scores", x => new { x.workspace_id, x.customer_id });
                });

            migrationBuilder.CreateTable(
                name: "model_runs",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    workspace_id = table.Column<long>(type: "INTEGER", nullable: false),
                    started_at = table.Column<long>(type: "INTEGER", nullable: false),
                    finished_at = table.Column<long>(type: "INTEGER", nullable: false),
                    as_of = table.Column<long>(type: "INTEGER", nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    message = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    customers = table.Column<long>(type: "INTEGER", nullable: false),
                    report_json = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_model_runs", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_customer_scores_workspace_id_churn_risk",
                table: "customer_scores",
                columns: new[] { "workspace_id", "churn_risk" });

            migrationBuilder.CreateIndex(
                name: "IX_model_runs_workspace_id_started_at",
                table: "model_runs",
                columns: new[] { "workspace_id", "started_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "customer_scores");

            migrationBuilder.DropTable(
                name: "model_runs");
        }
    }
}
