"""What a booking looks like to each reader, in each reader's format: calendar events and
.ics files (``invitations``), the values emails and SMS show (``email_values``). Read by
the effects that send them, the API that answers them and the controllers; never imports
effects, api or controllers.
"""
