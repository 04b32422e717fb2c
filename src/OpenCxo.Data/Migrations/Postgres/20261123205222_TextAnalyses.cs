using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace OpenCxo.Data.Migrations.Postgres
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
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    interaction_seq = table.Column<long>(type: "bigint", nullable: false),
                    workspace_id = table.Column<long>(type: "bigint", nullable: false),
                    analyzer = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    language = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    sentiment = table.Column<double>(type: "double precision", nullable: false),
                    themes = table.Column<string>(type: "text", nullable: false),
                    flags = table.Column<string>(type: "text", nullable: false),
                    redacted = table.Column<string>(type: "text", nullable: false),
                    redactions = table.Column<int>(type: "integer", nullable: false),
                    analyzed_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_text_analyses", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "text_analysis_state",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false),
                    interaction_seq = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_text_analysis_state", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "text_taxonomies",
                columns: table => new
                {
                    workspace_id = table.Column<long>(type: "bigint", nullable: false),
                    json = table.Column<string>(type: "text", nullable: false),
                    revision = table.Column<int>(type: "integer", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_by = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false)
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
