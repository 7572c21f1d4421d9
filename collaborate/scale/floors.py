"""The floors the recompute is measured against: the same figures by hand-written
INSERT ... SELECT, and the check that the recompute's tables equal them."""

from django.db import connection

FLOOR_SQL = [
    "DROP TABLE IF EXISTS bench_initiative, bench_fact",
    # Per initiative, straight from the source tables.
    """
    CREATE TABLE bench_initiative AS
    SELECT i.id AS initiative_id,
           COALESCE(t.target, 0) AS target, COALESCE(c.claimed, 0) AS claimed,
           COALESCE(c.verified_cash, 0) AS verified_cash, COALESCE(c.verified_non_cash, 0) AS verified_non_cash
    FROM initiatives_initiative i
    LEFT JOIN (SELECT initiative_id, SUM(amount) AS target FROM initiatives_savingstarget GROUP BY initiative_id) t
           ON t.initiative_id = i.id
    LEFT JOIN (
        SELECT initiative_id,
               SUM(net_amount) FILTER (WHERE status IN ('submitted', 'verified')) AS claimed,
               SUM(net_amount) FILTER (WHERE status = 'verified' AND kind = 'cash_releasing') AS verified_cash,
               SUM(net_amount) FILTER (WHERE status = 'verified' AND kind <> 'cash_releasing') AS verified_non_cash
        FROM initiatives_savingsclaim GROUP BY initiative_id
    ) c ON c.initiative_id = i.id
    """,
    # Organisation × year × model × area: each initiative's part to the penny, then summed.
    """
    CREATE TABLE bench_fact AS
    WITH part AS (
        SELECT p.initiative_id, p.organisation_id, t.financial_year, ROUND(SUM(t.amount * p.savings_share / 100), 2) AS target,
               0::numeric AS claimed, 0::numeric AS verified_cash, 0::numeric AS verified_non_cash
        FROM initiatives_partnership p JOIN initiatives_savingstarget t ON t.initiative_id = p.initiative_id
        WHERE p.removed_on IS NULL GROUP BY 1, 2, 3
        UNION ALL
        SELECT p.initiative_id, p.organisation_id, c.financial_year, 0, ROUND(SUM(c.net_amount * p.savings_share / 100), 2), 0, 0
        FROM initiatives_partnership p JOIN initiatives_savingsclaim c ON c.initiative_id = p.initiative_id
        WHERE p.removed_on IS NULL AND c.status IN ('submitted', 'verified') GROUP BY 1, 2, 3
        UNION ALL
        SELECT c.initiative_id, a.organisation_id, c.financial_year, 0, 0,
               SUM(a.amount) FILTER (WHERE c.kind = 'cash_releasing'), SUM(a.amount) FILTER (WHERE c.kind <> 'cash_releasing')
        FROM initiatives_claimattribution a JOIN initiatives_savingsclaim c ON c.id = a.claim_id
        WHERE c.status = 'verified' GROUP BY 1, 2, 3
    ), per_initiative AS (
        SELECT initiative_id, organisation_id, financial_year, SUM(target) AS target, SUM(claimed) AS claimed,
               COALESCE(SUM(verified_cash), 0) AS verified_cash, COALESCE(SUM(verified_non_cash), 0) AS verified_non_cash
        FROM part GROUP BY 1, 2, 3
    )
    SELECT x.organisation_id, x.financial_year, i.collaboration_model, i.service_area,
           SUM(x.target) AS target, SUM(x.claimed) AS claimed,
           SUM(x.verified_cash) AS verified_cash, SUM(x.verified_non_cash) AS verified_non_cash
    FROM per_initiative x JOIN initiatives_initiative i ON i.id = x.initiative_id
    GROUP BY 1, 2, 3, 4
    """,
]

CHECK_SQL = {
    "initiatives_differing": """
        SELECT COUNT(*) FROM (
            (SELECT initiative_id, target, claimed, verified_cash, verified_non_cash FROM bench_initiative
             EXCEPT SELECT initiative_id, target, claimed, verified_cash, verified_non_cash FROM initiatives_initiativeprogress)
            UNION ALL
            (SELECT initiative_id, target, claimed, verified_cash, verified_non_cash FROM initiatives_initiativeprogress
             EXCEPT SELECT initiative_id, target, claimed, verified_cash, verified_non_cash FROM bench_initiative)
        ) d""",
    "facts_differing": """
        SELECT COUNT(*) FROM (
            (SELECT organisation_id, financial_year, collaboration_model, service_area, target, claimed, verified_cash, verified_non_cash
             FROM bench_fact
             EXCEPT SELECT organisation_id, financial_year, collaboration_model, service_area, target, claimed, verified_cash, verified_non_cash
             FROM initiatives_progressfact WHERE organisation_id IS NOT NULL)
            UNION ALL
            (SELECT organisation_id, financial_year, collaboration_model, service_area, target, claimed, verified_cash, verified_non_cash
             FROM initiatives_progressfact WHERE organisation_id IS NOT NULL
             EXCEPT SELECT organisation_id, financial_year, collaboration_model, service_area, target, claimed, verified_cash, verified_non_cash
             FROM bench_fact)
        ) d""",
    "all_organisation_totals_differing": """
        SELECT COUNT(*) FROM (
            (SELECT financial_year, collaboration_model, service_area, SUM(target), SUM(claimed), SUM(verified_cash), SUM(verified_non_cash)
             FROM initiatives_initiativeyear GROUP BY 1, 2, 3
             EXCEPT SELECT financial_year, collaboration_model, service_area, target, claimed, verified_cash, verified_non_cash
             FROM initiatives_progressfact WHERE organisation_id IS NULL)
        ) d""",
}


def floor_recompute():
    with connection.cursor() as cursor:
        for statement in FLOOR_SQL:
            cursor.execute(statement)


def totals_check():
    with connection.cursor() as cursor:
        counts = {}
        for name, sql in CHECK_SQL.items():
            cursor.execute(sql)
            counts[name] = cursor.fetchone()[0]
        cursor.execute("DROP TABLE IF EXISTS bench_initiative, bench_fact")
    counts["passed"] = all(v == 0 for v in counts.values())
    return counts
