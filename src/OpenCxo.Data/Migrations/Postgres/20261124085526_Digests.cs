using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace OpenCxo.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Digests : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<long>(
                name: "alert_id",
                table: "alert_deliveries",
                type: "bigint",
                nullable: true,
                oldClrType: typeof(long),
                oldType: "bigint");

            migrationBuilder.AddColumn<long>(
                name: "digest_id",
                table: "alert_deliveries",
                type: "bigint",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "digest_settings",
                columns: table => new
                {
                    workspace_id = table.Column<long>(type: "bigint", nullable: false),
                    settings_json = table.Column<string>(type: "text", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_digest_settings", x => x.workspace_id);
                });

            migrationBuilder.CreateTable(
                name: "digests",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    workspace_id = table.Column<long>(type: "bigint", nullable: false),
                    department = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    week = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    generated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    content_json = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_digests", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_alert_deliveries_digest_id",
                table: "alert_deliveries",
                column: "digest_id");

            migrationBuilder.CreateIndex(
                name: "IX_digests_workspace_id_department_week",
                table: "digests",
                columns: new[] { "workspace_id", "department", "week" },
                unique: true);

            migrationBuilder.AddForeignKey(
                name: "FK_alert_deliveries_digests_digest_id",
                table: "alert_deliveries",
                column: "digest_id",
                principalTable: "digests",
                principalColumn: "id",
                onDelete: ReferentialAction.Cascade);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_alert_deliveries_digests_digest_id",
                table: "alert_deliveries");

            migrationBuilder.DropTable(
                name: "digest_settings");

            migrationBuilder.DropTable(
                name: "digests");

            migrationBuilder.DropIndex(
                name: "IX_alert_deliveries_digest_id",
                table: "alert_deliveries");

            migrationBuilder.DropColumn(
                name: "digest_id",
                table: "alert_deliveries");

            migrationBuilder.AlterColumn<long>(
                name: "alert_id",
                table: "alert_deliveries",
                type: "bigint",
                nullable: false,
                defaultValue: 0L,
                oldClrType: typeof(long),
                oldType: "bigint",
                oldNullable: true);
        }
    }
}
