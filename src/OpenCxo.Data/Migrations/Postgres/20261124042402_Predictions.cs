using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace OpenCxo.Data.Migrations.Postgres
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
                    workspace_id = table.Column<long>(type: "bigint", nullable: false),
                    customer_id = table.Column<long>(type: "bigint", nullable: false),
                    run_id = table.Column<long>(type: "bigint", nullable: false),
                    churn_risk = table.Column<double>(type: "double precision", nullable: true),
                    churn_reasons_json = table.Column<string>(type: "text", nullable: true),
                    probability_alive = table.Column<double>(type: "double precision", nullable: true),
                    expected_purchases = table.Column<double>(type: "double precision", nullable: true),
                    expected_spend = table.Column<double>(type: "double precision", nullable: true),
                    lifetime_value = table.Column<double>(type: "double precision", nullable: true),
                    currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_customer_scores", x => new { x.workspace_id, x.customer_id });
                });

            migrationBuilder.CreateTable(
                name: "model_runs",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    workspace_id = table.Column<long>(type: "bigint", nullable: false),
                    started_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    finished_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    as_of = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    message = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    customers = table.Column<long>(type: "bigint", nullable: false),
                    report_json = table.Column<string>(type: "text", nullable: false)
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
