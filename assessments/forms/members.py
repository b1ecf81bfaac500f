"""Forms for inviting people and accepting invitations."""

from crispy_forms_gds.layout import Field, Fluid, Size
from django import forms
from django.contrib.auth import password_validation
from django.db.models.functions import Lower

from assessments.forms.accounts import email_field, gds_helper
from assessments.forms.reveals import RadiosWithReveals, Reveal
from assessments.models import Council, InvitationRole, Membership, PeerGroup, User, normalise_email


class InviteMemberForm(forms.Form):
    """A council lead invites a colleague to their own council."""

    email = email_field("Their work email address")
    role = forms.ChoiceField(
        label="Their role",
        choices=[
            (
                InvitationRole.CONTRIBUTOR,
                "Contributor – can work on the council's services and assessments",
            ),
            (InvitationRole.LEAD, "Council lead – can also invite and remove members"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select their role"},
    )

    def __init__(self, *args, council, **kwargs):
        self.council = council
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Field.text("email", field_width=Fluid.TWO_THIRDS),
            Field.radios("role", legend_size=Size.SMALL),
            button="Send invitation",
        )

    def clean_email(self):
        email = normalise_email(self.cleaned_data["email"])
        if Membership.objects.filter(council=self.council, user__email__iexact=email).exists():
            raise forms.ValidationError(f"{email} is already a member of {self.council.short_name}")
        return email


class InviteAnyoneForm(forms.Form):
    """A coordinator invites a council lead or contributor for any council, a peer reviewer,
    or an independent assessor."""

    email = email_field("Their work email address")
    role = forms.ChoiceField(
        label="What are you inviting them to do?",
        choices=[
            (InvitationRole.LEAD, "Council lead"),
            (InvitationRole.CONTRIBUTOR, "Council contributor"),
            (InvitationRole.REVIEWER, "Peer reviewer"),
            (InvitationRole.ASSESSOR, "Independent assessor (belongs to no council)"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select what you are inviting them to do"},
    )
    council = forms.ModelChoiceField(
        label="Council",
        help_text="For council leads and contributors.",
        # In the order of the names shown (official ones), as a person reads down the list.
        queryset=Council.objects.current().order_by(Lower("official_name"), "code"),
        required=False,
        to_field_name="code",
        empty_label="Choose a council",
    )
    peer_group = forms.ModelChoiceField(
        label="Peer group",
        help_text="For peer reviewers.",
        queryset=PeerGroup.objects.order_by("name"),
        required=False,
        to_field_name="slug",
        empty_label="Choose a peer group",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["council"].label_from_instance = lambda council: council.official_name
        # About 400 councils: static/js/autocomplete.js lets people type to find one.
        self.fields["council"].widget.attrs["data-app-autocomplete"] = ""
        self.helper = gds_helper(
            Field.text("email", field_width=Fluid.TWO_THIRDS),
            # The council appears under the two council roles, the peer group under peer
            # reviewer, once a role is chosen (both without JavaScript).
            RadiosWithReveals(
                "role",
                Reveal(
                    "council",
                    [InvitationRole.LEAD, InvitationRole.CONTRIBUTOR],
                    Field.select("council"),
                ),
                Reveal("peer-group", [InvitationRole.REVIEWER], Field.select("peer_group")),
                legend_size=Size.SMALL,
            ),
            button="Send invitation",
        )

    def clean(self):
        data = super().clean()
        role = data.get("role")
        if role in (InvitationRole.LEAD, InvitationRole.CONTRIBUTOR) and not data.get("council"):
            self.add_error("council", "Choose the council you are inviting them to")
        if role == InvitationRole.REVIEWER and not data.get("peer_group"):
            self.add_error("peer_group", "Choose the peer group they will review in")
        email, council = data.get("email"), data.get("council")
        if not email:
            return data
        if role == InvitationRole.REVIEWER:
            group = data.get("peer_group")
            if (
                group
                and User.objects.filter(
                    email__iexact=email, is_peer_reviewer=True, reviewer_peer_groups=group
                ).exists()
            ):
                self.add_error("email", f"{email} is already a peer reviewer in {group}")
        elif role == InvitationRole.ASSESSOR:
            if User.objects.filter(email__iexact=email, is_independent_assessor=True).exists():
                self.add_error("email", f"{email} is already an independent assessor")
        elif (
            council
            and Membership.objects.filter(council=council, user__email__iexact=email).exists()
        ):
            self.add_error("email", f"{email} is already a member of {council.short_name}")
        return data


class AcceptInvitationForm(forms.Form):
    """A new person gives their name and chooses a password."""

    full_name = forms.CharField(
        label="Full name",
        help_text="Up to 150 characters.",
        max_length=150,
        error_messages={
            "required": "Enter your full name",
            "max_length": "Full name must be 150 characters or fewer",
        },
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
    )
    new_password1 = forms.CharField(
        label="Create a password",
        strip=False,
        help_text="Use at least 12 characters. Avoid common passwords and ones that are all numbers.",
        error_messages={"required": "Enter a password"},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label="Confirm password",
        strip=False,
        error_messages={"required": "Confirm your password"},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email, **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Field.text("full_name", field_width=Fluid.TWO_THIRDS),
            "new_password1",
            "new_password2",
            button="Create account",
        )

    def clean_new_password2(self):
        first = self.cleaned_data.get("new_password1")
        second = self.cleaned_data.get("new_password2")
        if first and second and first != second:
            raise forms.ValidationError("Passwords must match")
        return second

    def _post_clean(self):
        super()._post_clean()
        password = self.cleaned_data.get("new_password1")
        if password:
            # Validators compare the password with the person's name and email.
            someone = User(email=self.email, full_name=self.cleaned_data.get("full_name", ""))
            try:
                password_validation.validate_password(password, someone)
            except forms.ValidationError as error:
                self.add_error("new_password1", error)
