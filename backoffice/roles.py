"""The two staff roles, as groups of permissions."""

from __future__ import annotations

OPERATORS = "Operators"
ADMINISTRATORS = "Administrators"

# (app label, codename): what sales, support and billing staff need each day.
OPERATOR_PERMISSIONS = [
    ("orders", "view_order"),
    ("orders", "change_order"),
    ("orders", "view_failure"),
    ("orders", "change_failure"),
    ("orders", "delete_failure"),
    ("orders", "view_webhookdelivery"),
    ("orders", "view_orderstep"),
    ("tickets", "view_tickettemplate"),
    ("tickets", "add_tickettemplate"),
    ("tickets", "change_tickettemplate"),
    ("tickets", "delete_tickettemplate"),
    ("backoffice", "use_lookups"),
]
# Administrators also change what provisioning uses, manage staff, read the log.
ADMINISTRATOR_ONLY_PERMISSIONS = [
    (app, f"{action}_{model}")
    for app, model in [
        ("orders", "serviceplanmapping"),
        ("orders", "alwaysaddedfee"),
        ("orders", "provisioningsettings"),
        ("auth", "user"),
        ("auth", "group"),
    ]
    for action in ("view", "add", "change", "delete")
] + [("backoffice", "view_logs"), ("admin", "view_logentry")]

ROLE_PERMISSIONS = {
    OPERATORS: OPERATOR_PERMISSIONS,
    ADMINISTRATORS: OPERATOR_PERMISSIONS + ADMINISTRATOR_ONLY_PERMISSIONS,
}


def sync_roles(apps: object) -> None:
    """Create the role groups and give each exactly its permissions."""
    from django.contrib.auth.management import create_permissions
    from django.contrib.contenttypes.management import create_contenttypes

    # Permissions are normally made after migrate; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_contenttypes(app_config, verbosity=0, apps=apps)
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None

    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for name, wanted in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=name)
        permissions = [
            permission_model.objects.get(
                content_type__app_label=app_label, codename=codename
            )
            for app_label, codename in wanted
        ]
        group.permissions.set(permissions)
