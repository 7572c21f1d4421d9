"""How big the database has grown: rows and bytes of its largest tables and their indexes, for
the benchmark's JSON and the scaling notes (docs/scaling.md)."""

from django.db import connection

LARGEST = 12


def database_sizes(largest=LARGEST):
    """{"database_bytes": …, "tables": [{table, rows, table_bytes, index_bytes}, …]} for the
    `largest` tables by their size with indexes. Rows are PostgreSQL's count as of the last
    ANALYZE (the benchmark runs VACUUM ANALYZE first), exact enough to show how they grow."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        database_bytes = cursor.fetchone()[0]
        cursor.execute(
            "SELECT c.relname, GREATEST(c.reltuples, 0)::bigint, pg_table_size(c.oid), "
            "pg_indexes_size(c.oid) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema() "
            "ORDER BY pg_total_relation_size(c.oid) DESC, c.relname LIMIT %s",
            [largest],
        )
        tables = [
            {"table": name, "rows": rows, "table_bytes": table, "index_bytes": index}
            for name, rows, table, index in cursor.fetchall()
        ]
    return {"database_bytes": database_bytes, "tables": tables}
