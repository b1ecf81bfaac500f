from django.db import models


class Phase(models.TextChoices):
    """The phases a service moves through, as in the Service Manual.

    A service is in one phase now; each assessment records the phase it was made at.
    """

    DISCOVERY = "discovery", "Discovery"
    ALPHA = "alpha", "Alpha"
    BETA = "beta", "Beta"
    LIVE = "live", "Live"
