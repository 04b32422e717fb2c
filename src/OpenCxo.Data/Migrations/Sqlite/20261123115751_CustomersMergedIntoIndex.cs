using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenCxo.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class CustomersMergedIntoIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_customers_merged_into",
                table: "customers",
                column: "merged_into",
                filter: "merged_into IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_customers_merged_into",
                table: "customers");
        }
    }
}
