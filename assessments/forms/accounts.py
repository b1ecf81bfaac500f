"""Forms for signing in and managing your password, in GOV.UK wording."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Layout, Submit
from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth import forms as auth_forms

from assessments.auth import may_send_password_reset
from assessments.models import normalise_email

EMAIL_FORMAT = "Enter an email address in the correct format, like name@example.com"
# No address is longer than 254 characters (RFC 5321), so a longer one is in the wrong
# format: said so, rather than as a limit, which no one needs to be told.
EMAIL_ERRORS = {
    "required": "Enter your email address",
    "invalid": EMAIL_FORMAT,
    "max_length": EMAIL_FORMAT,
}


def gds_helper(*fields, button="Continue"):
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True  # the page's <form> has its own token
    helper.layout = Layout(*fields, Submit("submit", button))
    return helper


def email_field(label="Email address"):
    return forms.EmailField(
        label=label,
        max_length=254,
        error_messages=EMAIL_ERRORS,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )


class SignInForm(forms.Form):
    email = email_field()
    password = forms.CharField(
        label="Password",
        strip=False,
        error_messages={"required": "Enter your password"},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": "Enter a correct email address and password. Both may be case-sensitive."
    }

    def __init__(self, request, *args, **kwargs):
        self.request = request
        self.user = None
        super().__init__(*args, **kwargs)
        self.helper = gds_helper("email", "password", button="Sign in")

    def clean_email(self):
        return normalise_email(self.cleaned_data["email"])

    def clean(self):
        email = self.cleaned_data.get("email")
        password = self.cleaned_data.get("password")
        if email and password:
            # The request goes to authenticate() so django-axes can count failures.
            self.user = authenticate(self.request, username=email, password=password)
            if self.user is None:
                # Said against the email field so the summary links somewhere useful;
                # the same words whether or not the account exists.
                self.add_error("email", self.error_messages["invalid_login"])
        return self.cleaned_data


class NewPasswordMixin:
    """GOV.UK wording for choosing a password, with Django's validators."""

    def _set_up_password_fields(self):
        self.fields["new_password1"].label = "Create a password"
        self.fields[
            "new_password1"
        ].help_text = (
            "Use at least 12 characters. Avoid common passwords and ones that are all numbers."
        )
        self.fields["new_password1"].error_messages["required"] = "Enter a password"
        self.fields["new_password2"].label = "Confirm password"
        self.fields["new_password2"].help_text = ""
        self.fields["new_password2"].error_messages["required"] = "Confirm your password"
        self.error_messages["password_mismatch"] = "Passwords must match"


class SetPasswordForm(NewPasswordMixin, auth_forms.SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._set_up_password_fields()
        self.helper = gds_helper("new_password1", "new_password2", button="Save password")


class ChangePasswordForm(NewPasswordMixin, auth_forms.PasswordChangeForm):
    def __init__(self, request, *args, **kwargs):
        self.request = request
        super().__init__(request.user, *args, **kwargs)
        self._set_up_password_fields()
        self.fields["new_password1"].label = "New password"
        self.fields["old_password"].label = "Current password"
        self.fields["old_password"].error_messages["required"] = "Enter your current password"
        self.error_messages["password_incorrect"] = "Your current password is not correct"
        self.helper = gds_helper(
            "old_password", "new_password1", "new_password2", button="Change password"
        )

    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        # Checked by authenticate(), as signing in is, so that wrong guesses count
        # towards the same lock-out and nothing is checked while it lasts.
        user = authenticate(self.request, username=self.user.email, password=old_password)
        if user is None or user.pk != self.user.pk:
            raise forms.ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old_password


class PasswordResetForm(auth_forms.PasswordResetForm):
    email = email_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper("email", button="Send reset link")

    def clean_email(self):
        return normalise_email(self.cleaned_data["email"])

    def save(self, *, request, **kwargs):
        # Over a limit nothing is sent, and the next page says what it always says.
        if may_send_password_reset(self.cleaned_data["email"], request):
            super().save(request=request, **kwargs)
