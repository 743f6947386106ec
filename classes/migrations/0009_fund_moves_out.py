"""The micro-fund moves out of the classroom into its own app, `fund`: the community's fund, which
the classroom and the party-building alliance both use. Its tables are renamed, not copied, so
every entry keeps its id, amount, status and history:

    classes_fundentry           → fund_fundentry
    classes_historicalfundentry → fund_historicalfundentry

Here: the ledger's PostgreSQL triggers come off the old table, the tables are renamed and the
models leave the classroom's state. `fund.0001_initial` takes them into the fund's state and
puts the triggers back on the new table.
"""

import pgtrigger.migrations
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('classes', '0008_institutions_to_partners'),
    ]

    operations = [
        pgtrigger.migrations.RemoveTrigger(model_name='fundentry', name='append_only'),
        pgtrigger.migrations.RemoveTrigger(model_name='fundentry', name='forward_only'),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name='fundentry', table='fund_fundentry'),
                migrations.AlterModelTable(
                    name='historicalfundentry', table='fund_historicalfundentry'
                ),
            ],
            state_operations=[
                migrations.RemoveField(
                    model_name='historicalfundentry',
                    name='reverses',
                ),
                migrations.RemoveField(
                    model_name='historicalfundentry',
                    name='approved_by',
                ),
                migrations.RemoveField(
                    model_name='historicalfundentry',
                    name='history_user',
                ),
                migrations.RemoveField(
                    model_name='historicalfundentry',
                    name='proposed_by',
                ),
                migrations.RemoveField(
                    model_name='historicalfundentry',
                    name='source_payment',
                ),
                migrations.DeleteModel(
                    name='FundEntry',
                ),
                migrations.DeleteModel(
                    name='HistoricalFundEntry',
                ),
            ],
        ),
    ]
