"""The micro-fund's own app. Its tables were renamed from the classroom's
(`classes.0009_fund_moves_out`): this takes the models into the fund's state as they were (no
table is created), moves their content types (permissions, admin log, change history) along,
then adds what is new: the entry's purpose (an alliance project it is for) and the ledger's
PostgreSQL triggers on the new table (append-only; spending only moves forward).
"""

import django.db.models.deletion
import django.utils.timezone
import pgtrigger.compiler
import pgtrigger.migrations
import portal.validators
import simple_history.models
from django.conf import settings
from django.db import migrations, models


MODELS = ["fundentry", "historicalfundentry"]


def _move_content_types(apps, source, target):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not ContentType.objects.filter(app_label=target, model=model).exists():
            ContentType.objects.filter(app_label=source, model=model).update(app_label=target)


def content_types_to_fund(apps, schema_editor):
    _move_content_types(apps, "classes", "fund")


def content_types_to_classes(apps, schema_editor):
    _move_content_types(apps, "fund", "classes")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('classes', '0009_fund_moves_out'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The tables exist (renamed by classes.0009): state only.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='FundEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('income', 'income'), ('expenditure', 'expenditure')], max_length=12, verbose_name='kind')),
                        ('category', models.CharField(choices=[('classroom', "classroom's share of proceeds"), ('donation', 'donation'), ('partner', 'partner contribution'), ('project', 'public-welfare project'), ('supplies', 'materials and supplies'), ('other', 'other')], max_length=12, verbose_name='category')),
                        ('date', models.DateField(verbose_name='date')),
                        ('amount', models.DecimalField(decimal_places=2, max_digits=10, verbose_name='amount (yuan)')),
                        ('description', models.CharField(max_length=200, verbose_name='source or purpose')),
                        ('donor_name', models.CharField(blank=True, help_text='Staff only; shown publicly only if they agree.', max_length=100, verbose_name='donor')),
                        ('donor_is_public', models.BooleanField(default=False, verbose_name='donor agrees to be named')),
                        ('status', models.CharField(choices=[('posted', 'posted'), ('proposed', 'proposed'), ('approved', 'approved'), ('paid', 'paid'), ('rejected', 'rejected')], max_length=10, verbose_name='status')),
                        ('receipt', models.ImageField(blank=True, upload_to='fund/%Y/', validators=[portal.validators.validate_image_file], verbose_name='receipt')),
                        ('approved_at', models.DateTimeField(blank=True, null=True, verbose_name='approved at')),
                        ('paid_at', models.DateTimeField(blank=True, null=True, verbose_name='paid at')),
                        ('reason', models.CharField(blank=True, max_length=200, verbose_name='reason for the correction')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created')),
                        ('approved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='approved by')),
                        ('proposed_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='recorded or proposed by')),
                        ('reverses', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='reversed_by', to='fund.fundentry', verbose_name='reverses')),
                        ('source_payment', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='fund_entry', to='classes.feepayment', verbose_name='from fee payment')),
                    ],
                    options={
                        'verbose_name': 'micro-fund entry',
                        'verbose_name_plural': 'micro-fund ledger',
                        'ordering': ['-date', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='HistoricalFundEntry',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('income', 'income'), ('expenditure', 'expenditure')], max_length=12, verbose_name='kind')),
                        ('category', models.CharField(choices=[('classroom', "classroom's share of proceeds"), ('donation', 'donation'), ('partner', 'partner contribution'), ('project', 'public-welfare project'), ('supplies', 'materials and supplies'), ('other', 'other')], max_length=12, verbose_name='category')),
                        ('date', models.DateField(verbose_name='date')),
                        ('amount', models.DecimalField(decimal_places=2, max_digits=10, verbose_name='amount (yuan)')),
                        ('description', models.CharField(max_length=200, verbose_name='source or purpose')),
                        ('donor_name', models.CharField(blank=True, help_text='Staff only; shown publicly only if they agree.', max_length=100, verbose_name='donor')),
                        ('donor_is_public', models.BooleanField(default=False, verbose_name='donor agrees to be named')),
                        ('status', models.CharField(choices=[('posted', 'posted'), ('proposed', 'proposed'), ('approved', 'approved'), ('paid', 'paid'), ('rejected', 'rejected')], max_length=10, verbose_name='status')),
                        ('receipt', models.TextField(blank=True, max_length=100, validators=[portal.validators.validate_image_file], verbose_name='receipt')),
                        ('approved_at', models.DateTimeField(blank=True, null=True, verbose_name='approved at')),
                        ('paid_at', models.DateTimeField(blank=True, null=True, verbose_name='paid at')),
                        ('reason', models.CharField(blank=True, max_length=200, verbose_name='reason for the correction')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('approved_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='approved by')),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('proposed_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='recorded or proposed by')),
                        ('reverses', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='fund.fundentry', verbose_name='reverses')),
                        ('source_payment', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='classes.feepayment', verbose_name='from fee payment')),
                    ],
                    options={
                        'verbose_name': 'historical micro-fund entry',
                        'verbose_name_plural': 'historical micro-fund ledger',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.AddIndex(
                    model_name='fundentry',
                    index=models.Index(fields=['kind', 'status', 'date'], name='fund_kind_status_date'),
                ),
                migrations.AddConstraint(
                    model_name='fundentry',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('amount__gt', 0), ('reverses__isnull', True)), models.Q(('amount__lt', 0), ('reverses__isnull', False), models.Q(('reason', ''), _negated=True)), _connector='OR'), name='fund_amount_sign'),
                ),
                migrations.AddConstraint(
                    model_name='fundentry',
                    constraint=models.CheckConstraint(condition=models.Q(('approved_by__isnull', True), models.Q(('approved_by', models.F('proposed_by')), _negated=True), _connector='OR'), name='fund_four_eyes'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_to_fund, content_types_to_classes),
        migrations.AddField(
            model_name='fundentry',
            name='purpose_id',
            field=models.PositiveBigIntegerField(blank=True, null=True, verbose_name='purpose (number)'),
        ),
        migrations.AddField(
            model_name='fundentry',
            name='purpose_type',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='contenttypes.contenttype', verbose_name='purpose (kind)'),
        ),
        migrations.AddField(
            model_name='historicalfundentry',
            name='purpose_id',
            field=models.PositiveBigIntegerField(blank=True, null=True, verbose_name='purpose (number)'),
        ),
        migrations.AddField(
            model_name='historicalfundentry',
            name='purpose_type',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='contenttypes.contenttype', verbose_name='purpose (kind)'),
        ),
        migrations.AddConstraint(
            model_name='fundentry',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('purpose_id__isnull', True), ('purpose_type__isnull', True)), models.Q(('purpose_id__isnull', False), ('purpose_type__isnull', False)), _connector='OR'), name='fund_purpose_whole'),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='fundentry',
            trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot delete rows from % table', TG_TABLE_NAME;", hash='7e4bdbfbc53d1995780ad0e7def8f76519e6811e', operation='DELETE', pgid='pgtrigger_append_only_d88df', table='fund_fundentry', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='fundentry',
            trigger=pgtrigger.compiler.Trigger(name='forward_only', sql=pgtrigger.compiler.UpsertTriggerSql(condition="WHEN (NOT (OLD.id IS NOT DISTINCT FROM NEW.id AND OLD.kind IS NOT DISTINCT FROM NEW.kind AND OLD.category IS NOT DISTINCT FROM NEW.category AND OLD.date IS NOT DISTINCT FROM NEW.date AND OLD.amount IS NOT DISTINCT FROM NEW.amount AND OLD.description IS NOT DISTINCT FROM NEW.description AND OLD.donor_name IS NOT DISTINCT FROM NEW.donor_name AND OLD.donor_is_public IS NOT DISTINCT FROM NEW.donor_is_public AND OLD.proposed_by_id IS NOT DISTINCT FROM NEW.proposed_by_id AND OLD.reverses_id IS NOT DISTINCT FROM NEW.reverses_id AND OLD.reason IS NOT DISTINCT FROM NEW.reason AND OLD.source_payment_id IS NOT DISTINCT FROM NEW.source_payment_id AND OLD.purpose_type_id IS NOT DISTINCT FROM NEW.purpose_type_id AND OLD.purpose_id IS NOT DISTINCT FROM NEW.purpose_id AND OLD.created_at IS NOT DISTINCT FROM NEW.created_at AND ((OLD.status = 'proposed' AND NEW.status = 'approved' AND OLD.approved_by_id IS NULL AND NEW.approved_by_id IS NOT NULL AND OLD.approved_at IS NULL AND NEW.approved_at IS NOT NULL AND NEW.paid_at IS NULL AND OLD.receipt = NEW.receipt) OR (OLD.status = 'proposed' AND NEW.status = 'rejected' AND NEW.approved_by_id IS NULL AND NEW.approved_at IS NULL AND NEW.paid_at IS NULL AND OLD.receipt = NEW.receipt) OR (OLD.status = 'approved' AND NEW.status = 'paid' AND OLD.approved_by_id = NEW.approved_by_id AND OLD.approved_at = NEW.approved_at AND OLD.paid_at IS NULL AND NEW.paid_at IS NOT NULL AND (OLD.receipt = NEW.receipt OR OLD.receipt = '')))))", func="RAISE EXCEPTION 'pgtrigger: Cannot update rows from % table', TG_TABLE_NAME;", hash='35969a2920d6df51b8d51f804a26fec331e11048', operation='UPDATE', pgid='pgtrigger_forward_only_61df7', table='fund_fundentry', when='BEFORE')),
        ),
    ]
