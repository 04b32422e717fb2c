using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenCxo.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class RecurringRules : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<string>(
                name: "event_type",
                table: "survey_rules",
                type: "TEXT",
                maxLength: 100,
                nullable: true,
                oldClrType: typeof(string),
                oldType: "TEXT",
                oldMaxLength: 100);

            migrationBuilder.AddColumn<string>(
                name: "audience",
                table: "survey_rules",
                type: "TEXT",
                maxLength: 20,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "every_days",
                table: "survey_rules",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "kind",
                table: "survey_rules",
                type: "TEXT",
                maxLength: 10,
                nullable: false,
                defaultValue: "event");

            migrationBuilder.AddColumn<long>(
                name: "last_run_at",
                table: "survey_rules",
                type: "INTEGER",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "audience",
                table: "survey_rules");

            migrationBuilder.DropColumn(
                name: "every_days",
                table: "survey_rules");

            migrationBuilder.DropColumn(
                name: "kind",
                table: "survey_rules");

            migrationBuilder.DropColumn(
                name: "last_run_at",
                table: "survey_rules");

            migrationBuilder.AlterColumn<string>(
                name: "event_type",
                table: "survey_rules",
                type: "TEXT",
                maxLength: 100,
                nullable: false,
                defaultValue: "",
                oldClrType: typeof(string),
                oldType: "TEXT",
                oldMaxLength: 100,
                oldNullable: true);
        }
    }
}
