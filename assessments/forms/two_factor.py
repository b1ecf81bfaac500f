"""Forms for two-factor authentication: security codes, recovery codes, and the password
asked for before turning it off or making new recovery codes."""

import re

from crispy_forms_gds.layout import Field
from django import forms
from django.contrib.auth import authenticate

from assessments.forms.accounts import gds_helper


class SecurityCodeForm(forms.Form):
    """The 6-digit code an authenticator app shows. Whether it is right is for the view to
    find out (assessments.two_factor), under the sign-in lock-out."""

    code = forms.CharField(
        label="Security code",
        help_text="The 6-digit code your authenticator app shows for this service",
        max_length=20,
        error_messages={"required": "Enter the security code"},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
            }
        ),
    )

    wrong_code = (
        "The security code is not correct, or has expired. Enter the code your app shows now"
    )

    def __init__(self, *args, button="Continue", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.text("code", field_width=5), button=button)

    def clean_code(self):
        code = re.sub(r"[\s-]", "", self.cleaned_data["code"])
        if not re.fullmatch(r"\d{6}", code):
            raise forms.ValidationError("The security code must be 6 digits", code="format")
        return code


class RecoveryCodeForm(forms.Form):
    code = forms.CharField(
        label="Recovery code",
        help_text="One of the recovery codes you saved when you set up two-factor authentication, like abcd 2345",
        max_length=40,
        error_messages={"required": "Enter a recovery code"},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    wrong_code = "The recovery code is not correct, or has already been used"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.text("code", field_width=10))

    def clean_code(self):
        # Shown in two groups of four: people may type the space, a hyphen or capitals.
        return re.sub(r"[\s-]", "", self.cleaned_data["code"]).lower()


class ConfirmPasswordForm(forms.Form):
    """Asks for the person's password before a change to their second factor, so that
    someone who finds a signed-in browser cannot make it theirs."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        error_messages={"required": "Enter your password"},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, request, *args, button, **kwargs):
        self.request = request
        super().__init__(*args, **kwargs)
        self.helper = gds_helper("password", button=button)

    def clean_password(self):
        password = self.cleaned_data["password"]
        # Checked by authenticate(), as signing in is, under the same lock-out.
        user = authenticate(self.request, username=self.request.user.email, password=password)
        if user is None or user.pk != self.request.user.pk:
            raise forms.ValidationError("Your password is not correct", code="password_incorrect")
        return password
