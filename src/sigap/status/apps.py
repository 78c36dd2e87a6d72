from django.apps import AppConfig


class StatusConfig(AppConfig):
    name = "sigap.status"
    label = "status"
    verbose_name = "Status & agregat"

    def ready(self) -> None:
        # The read models follow committed state changes (sigap.events): writers never call them.
        from sigap import events
        from sigap.status import actions

        events.members_changed.connect(actions.on_members_changed, dispatch_uid="status.members")
        events.money_changed.connect(actions.on_money_changed, dispatch_uid="status.money")
