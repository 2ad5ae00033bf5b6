"""Database guards of the ledger, so no code path (or shell session) can break the books:

- an entry can be sealed (``posted``) only when it has two postings or more and they sum to zero per
  currency;
- a sealed entry and its postings never change, and a sealed entry takes no new postings;
- a posting's currency is its account's currency.

Errors are raised as integrity errors (SQLSTATE 23514 on PostgreSQL, a constraint abort on SQLite).
Deletion is left to the application (accounts and entries are protected foreign keys, and the admin is
read-only), so test databases can still be flushed.
"""

from decimal import Decimal

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER ledger_entry_seal BEFORE UPDATE ON ledger_entry
    BEGIN
      SELECT RAISE(ABORT, 'ledger: a posted entry cannot change') WHERE OLD.posted;
      SELECT RAISE(ABORT, 'ledger: an entry needs two postings or more')
        WHERE NEW.posted AND (SELECT COUNT(*) FROM ledger_posting WHERE entry_id = NEW.id) < 2;
      SELECT RAISE(ABORT, 'ledger: the entry does not balance per currency')
        WHERE NEW.posted AND EXISTS (SELECT 1 FROM ledger_posting WHERE entry_id = NEW.id
                                     GROUP BY currency HAVING SUM(amount) <> 0);
    END""",
    """CREATE TRIGGER ledger_posting_insert BEFORE INSERT ON ledger_posting
    BEGIN
      SELECT RAISE(ABORT, 'ledger: a posted entry takes no new postings')
        WHERE (SELECT posted FROM ledger_entry WHERE id = NEW.entry_id);
      SELECT RAISE(ABORT, 'ledger: the posting currency differs from its account''s')
        WHERE NEW.currency <> (SELECT currency FROM ledger_account WHERE id = NEW.account_id);
    END""",
    """CREATE TRIGGER ledger_posting_update BEFORE UPDATE ON ledger_posting
    BEGIN
      SELECT RAISE(ABORT, 'ledger: postings cannot change');
    END""",
]
SQLITE_DROP = ["DROP TRIGGER ledger_entry_seal", "DROP TRIGGER ledger_posting_insert",
               "DROP TRIGGER ledger_posting_update"]

POSTGRES = [
    """CREATE FUNCTION ledger_entry_seal() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF OLD.posted THEN
        RAISE EXCEPTION 'ledger: a posted entry cannot change (entry %)', OLD.id USING ERRCODE = 'check_violation';
      END IF;
      IF NEW.posted THEN
        IF (SELECT COUNT(*) FROM ledger_posting WHERE entry_id = NEW.id) < 2 THEN
          RAISE EXCEPTION 'ledger: an entry needs two postings or more (entry %)', NEW.id
            USING ERRCODE = 'check_violation';
        END IF;
        IF EXISTS (SELECT 1 FROM ledger_posting WHERE entry_id = NEW.id GROUP BY currency HAVING SUM(amount) <> 0) THEN
          RAISE EXCEPTION 'ledger: the entry does not balance per currency (entry %)', NEW.id
            USING ERRCODE = 'check_violation';
        END IF;
      END IF;
      RETURN NEW;
    END $$""",
    """CREATE TRIGGER ledger_entry_seal BEFORE UPDATE ON ledger_entry
    FOR EACH ROW EXECUTE FUNCTION ledger_entry_seal()""",
    """CREATE FUNCTION ledger_posting_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION 'ledger: postings cannot change' USING ERRCODE = 'check_violation';
      END IF;
      IF (SELECT posted FROM ledger_entry WHERE id = NEW.entry_id) THEN
        RAISE EXCEPTION 'ledger: a posted entry takes no new postings' USING ERRCODE = 'check_violation';
      END IF;
      IF NEW.currency <> (SELECT currency FROM ledger_account WHERE id = NEW.account_id) THEN
        RAISE EXCEPTION 'ledger: the posting currency differs from its account''s' USING ERRCODE = 'check_violation';
      END IF;
      RETURN NEW;
    END $$""",
    """CREATE TRIGGER ledger_posting_guard BEFORE INSERT OR UPDATE ON ledger_posting
    FOR EACH ROW EXECUTE FUNCTION ledger_posting_guard()""",
]
POSTGRES_DROP = ["DROP TRIGGER ledger_posting_guard ON ledger_posting", "DROP FUNCTION ledger_posting_guard()",
                 "DROP TRIGGER ledger_entry_seal ON ledger_entry", "DROP FUNCTION ledger_entry_seal()"]


def install(apps, schema_editor):
    statements = POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE
    for statement in statements:
        schema_editor.execute(statement, params=None)


def remove(apps, schema_editor):
    statements = POSTGRES_DROP if schema_editor.connection.vendor == "postgresql" else SQLITE_DROP
    for statement in statements:
        schema_editor.execute(statement, params=None)


def seed_default_commission(apps, schema_editor):
    apps.get_model("ledger", "CommissionRate").objects.get_or_create(category=None, defaults={"rate": Decimal("0.05")})


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [
        migrations.RunPython(install, remove),
        migrations.RunPython(seed_default_commission, migrations.RunPython.noop),
    ]
