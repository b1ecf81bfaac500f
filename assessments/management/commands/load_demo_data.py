"""Demo accounts and the lived-in demo (`assessments.demo`) for `make run` and `make dev`.
Refuses to run unless DEMO_DATA is true."""

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from assessments import demo
from assessments.models import Council, Membership, PeerGroup, Product, Role, Supplier, User
from assessments.templatetags.two_factor import secret_key
from standard.models import StandardVersion

PASSWORD = "demo-password-2026"

# Coordinators must use two-factor authentication, so the demo coordinator has an
# authenticator app with this secret key (hex, as django-otp stores it; printed in base32
# for apps), and these recovery codes, renewed on every run.
DEMO_APP_KEY = "61620769e45894adbbdc5f0e0ecdab932cea3b25"
DEMO_RECOVERY_CODES = [f"demo{n:04d}" for n in range(1, 11)]

ASSESSOR = "independent assessor"  # a reviewer who belongs to no council

# (email, full name, council code or None, role in that council, peer reviewer (True, or
# ASSESSOR)?, coordinator?)
ACCOUNTS = [
    ("lead@coventry.example", "Cara Singh", "COV", Role.LEAD, False, False),
    ("editor@coventry.example", "Ed Okafor", "COV", Role.CONTRIBUTOR, False, False),
    ("lead@leeds.example", "Lee Brennan", "LDS", Role.LEAD, False, False),
    ("lead@cardiff.example", "Carys Evans", "CRF", Role.LEAD, False, False),
    ("lead@glasgow.example", "Morag Campbell", "GLG", Role.LEAD, False, False),
    ("reviewer@birmingham.example", "Rita Kowalska", "BIR", Role.CONTRIBUTOR, True, False),
    ("assessor@lgdss.example", "Ines Achebe", None, None, ASSESSOR, False),
    ("coordinator@lgdss.example", "Coco Adeyemi", None, None, False, True),
    # Added with the lived-in demo: a second peer reviewer, a second contributor, and a
    # lead for each council the demo adds (assessments.demo.LEADS), one in every region.
    ("reviewer@bristol.example", "Grace Lindqvist", "BST", Role.CONTRIBUTOR, True, False),
    ("editor@leeds.example", "Amir Haddad", "LDS", Role.CONTRIBUTOR, False, False),
    ("lead@newcastle.example", "Aidan Robson", "NET", Role.LEAD, False, False),
    ("lead@manchester.example", "Priya Nair", "MAN", Role.LEAD, False, False),
    ("lead@nottingham.example", "Tom Whitaker", "NGM", Role.LEAD, False, False),
    ("lead@cambridge.example", "Hannah Price", "CAB", Role.LEAD, False, False),
    ("lead@suffolk.example", "Daniel Moss", "SFK", Role.LEAD, False, False),
    ("lead@camden.example", "Femi Adebayo", "CMD", Role.LEAD, False, False),
    ("lead@hackney.example", "Zara Hussain", "HCK", Role.LEAD, False, False),
    ("lead@brighton.example", "Sophie Clarke", "BNH", Role.LEAD, False, False),
    ("lead@kent.example", "Oliver Grant", "KEN", Role.LEAD, False, False),
    ("lead@bristol.example", "Jack Thomas", "BST", Role.LEAD, False, False),
    ("lead@cornwall.example", "Tamsin Penrose", "CON", Role.LEAD, False, False),
    ("lead@monmouthshire.example", "Rhys Morgan", "MON", Role.LEAD, False, False),
    ("lead@edinburgh.example", "Isla Fraser", "EDH", Role.LEAD, False, False),
    ("lead@belfast.example", "Niamh O'Neill", "BFS", Role.LEAD, False, False),
]


# A made-up list of suppliers and products, so the demo's "bought from a supplier" choice has
# something in it. In production, coordinators curate the real list in the admin.
PRODUCTS = {
    "Example Civic Software Ltd": ["Waste and Street Services", "Parking Permits Online"],
    "Sample Forms Company": ["Form Builder"],
    "Demonstration Housing Systems": ["Repairs Portal"],
}


class Command(BaseCommand):
    help = (
        "Create the demo accounts and the lived-in demo's assessments (only where "
        "DEMO_DATA=true). "
        "Safe to run again."
    )

    def handle(self, *args, **options):
        if not settings.DEMO_DATA:
            raise CommandError(
                "Demo accounts are only created where DEMO_DATA=true (make run and make dev)."
            )
        if not Council.objects.exists():
            call_command("import_councils", verbosity=0)
        if not StandardVersion.objects.exists():
            call_command("loaddata", "standard_lgdss_1_0", verbosity=0)

        # Hashing a password is slow on purpose: hash the shared one once for everyone.
        password = make_password(PASSWORD)
        with transaction.atomic():
            for email, name, code, role, reviewer, coordinator in ACCOUNTS:
                user, _ = User.objects.get_or_create(email=email)
                user.full_name = name
                user.password = password
                user.is_active = True
                user.is_coordinator = coordinator
                user.is_staff = coordinator
                user.is_peer_reviewer = bool(reviewer)
                user.is_independent_assessor = reviewer == ASSESSOR
                user.save()
                if reviewer and code:
                    user.reviewer_peer_groups.add(Council.objects.get(code=code).peer_group)
                if coordinator:
                    self.give_demo_app(user)
                if code:
                    Membership.objects.update_or_create(
                        user=user, council=Council.objects.get(code=code), defaults={"role": role}
                    )
            for supplier_name, product_names in PRODUCTS.items():
                supplier, _ = Supplier.objects.get_or_create(name=supplier_name)
                for product_name in product_names:
                    Product.objects.get_or_create(supplier=supplier, name=product_name)
            demo.load(self.stdout)

        self.stdout.write(f"Demo accounts (password: {PASSWORD}):")
        for email, _, code, role, reviewer, coordinator in ACCOUNTS:
            what = []
            if code:
                what.append(
                    f"{dict(Role.choices)[role].lower()}, {Council.objects.get(code=code).official_name}"
                )
            if reviewer == ASSESSOR:
                what.append(ASSESSOR)
            elif reviewer:
                group = PeerGroup.objects.get(councils__code=code)
                what.append(f"peer reviewer ({group.name})")
            if coordinator:
                what.append("coordinator")
            self.stdout.write(f"  {email:32} {'; '.join(what)}")
        app = TOTPDevice.objects.get(user__email="coordinator@lgdss.example")
        self.stdout.write(
            "The coordinator also gives a security code after the password (two-factor "
            "authentication):\n"
            f"  a code from an authenticator app set up with the key {secret_key(app)}\n"
            "  or a recovery code, each once until the next run: "
            + ", ".join(f"{code[:4]} {code[4:]}" for code in DEMO_RECOVERY_CODES)
        )

    def give_demo_app(self, user):
        """The demo coordinator's authenticator app and recovery codes, as printed."""
        TOTPDevice.objects.filter(user=user).delete()
        TOTPDevice.objects.create(
            user=user, name="Demo authenticator app", key=DEMO_APP_KEY, confirmed=True
        )
        StaticDevice.objects.filter(user=user).delete()
        codes = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
        StaticToken.objects.bulk_create(
            StaticToken(device=codes, token=code) for code in DEMO_RECOVERY_CODES
        )
