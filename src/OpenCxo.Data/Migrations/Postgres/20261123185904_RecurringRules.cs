using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenCxo.Data.Migrations.Postgres
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
                type: "character varying(100)",
                maxLength: 100,
                nullable: true,
                oldClrType: typeof(string),
                oldType: "character varying(100)",
                oldMaxLength: 100);

            migrationBuilder.AddColumn<string>(
                name: "audience",
                table: "survey_rules",
                type: "character varying(20)",
                maxLength: 20,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "every_days",
                table: "survey_rules",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "kind",
                table: "survey_rules",
                type: "character varying(10)",
                maxLength: 10,
                nullable: false,
                defaultValue: "event");

            migrationBuilder.AddColumn<DateTime>(
                name: "last_run_at",
                table: "survey_rules",
                type: "timestamp with time zone",
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
                type: "character varying(100)",
                maxLength: 100,
                nullable: false,
                defaultValue: "",
                oldClrType: typeof(string),
                oldType: "character varying(100)",
                oldMaxLength: 100,
                oldNullable: true);
        }
    }
}
