"""Views, split by audience: councils (public directory and council pages),
accounts (signing in and your account), work (where signed-in people land), services
and assessments (a council's work), history, members (invitations and membership),
emails (those not sent, for coordinators)."""
