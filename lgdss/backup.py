"""What a backup made by `export_data` holds, shared with `import_data`.

Every row of every table, model by model in an order that loads back (Django's
`sort_dependencies`), except:

- sessions: people sign in again after a restore. Sessions are short-lived, hold
  what people were doing, and would let a copied database's sessions be used;
- content types and permissions: `migrate` creates them in the new database, perhaps
  with other ids, so rows that refer to them (the outbox's "about", the admin's log,
  people's and groups' permissions) name them by their natural keys instead.

Everything else travels with its primary key (but for the rows linking many-to-many
fields, such as a reviewer's peer groups, which travel as the pairs they link), so
addresses, links in emails and generic references stay the same: people, councils, services, assessments and their
history, the email outbox, the task queue (emails waiting to be sent are sent by the
new database's worker), sign-in attempts and the admin's log.
"""

import datetime

from django.apps import apps
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import router

NOT_CARRIED = {"sessions.session", "contenttypes.contenttype", "auth.permission"}


def carried_models(database):
    """The models a backup holds, in an order that loads back."""
    models = serializers.sort_dependencies(
        [(app, None) for app in apps.get_app_configs()], allow_cycles=True
    )
    return [
        model
        for model in models
        if model._meta.label_lower not in NOT_CARRIED
        and not model._meta.proxy
        and router.allow_migrate_model(database, model)
    ]


class ExactJSONEncoder(DjangoJSONEncoder):
    """Django's encoder rounds times to the millisecond (for JavaScript): ours keeps
    the microseconds, so that a restored row is the row that was exported."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)
