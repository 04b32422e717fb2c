using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenCxo.Data.Migrations.Sqlite
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
                type: "INTEGER",
                nullable: true,
                oldClrType: typeof(long),
                oldType: "INTEGER");

            migrationBuilder.AddColumn<long>(
                name: "digest_id",
                table: "alert_deliveries",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "digest_settings",
                columns: table => new
                {
                    workspace_id = table.Column<long>(type: "INTEGER", nullable: false),
                    settings_json = table.Column<string>(type: "TEXT", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_digest_settings", x => x.workspace_id);
                });

            migrationBuilder.CreateTable(
                name: "digests",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    workspace_id = table.Column<long>(type: "INTEGER", nullable: false),
                    department = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    week = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    generated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    content_json = table.Column<string>(type: "TEXT", nullable: false)
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
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L,
                oldClrType: typeof(long),
                oldType: "INTEGER",
                oldNullable: true);
        }
    }
}
