"""Views, split by audience: councils (public directory and council pages),
accounts (signing in and your account), members (invitations and membership)."""
