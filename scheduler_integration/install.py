"""Install hooks: everything a fresh site needs before the first host signs in."""


def after_install():
	# Roles, settings defaults and fixtures are added here as the data model lands.
	pass
