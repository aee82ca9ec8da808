"""The CRM as the scheduler reads it: which record a person is (``records``) and which of a
record's fields a meeting type's answers may fill (``fields``: the mapping's rules and its
writing). Read by the CRM effect, the rep's scheduling API, the meeting type and routing
form controllers; never imports effects, api or controllers.
"""
