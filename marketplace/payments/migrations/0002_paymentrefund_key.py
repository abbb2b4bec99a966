import uuid

from django.db import migrations, models

import marketplace.payments.models


def give_each_refund_its_own_key(apps, schema_editor):
    # Rows sent before keep the key they were sent with; the others get a random one.
    PaymentRefund = apps.get_model("payments", "PaymentRefund")
    for refund in PaymentRefund.objects.all().only("pk", "attempts"):
        key = f"refund-{refund.pk}" if refund.attempts else "refund-" + uuid.uuid4().hex
        PaymentRefund.objects.filter(pk=refund.pk).update(key=key)


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="paymentrefund",
            name="key",
            field=models.CharField(default="", max_length=64, verbose_name="idempotency key"),
            preserve_default=False,
        ),
        migrations.RunPython(give_each_refund_its_own_key, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="paymentrefund",
            name="key",
            field=models.CharField(
                default=marketplace.payments.models.new_refund_key,
                max_length=64,
                unique=True,
                verbose_name="idempotency key",
            ),
        ),
    ]
