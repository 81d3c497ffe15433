"""Organizations, their members and volunteers (慈善组织、成员与志愿者): the writes, by topic.

* ``registration``: registering an organization and the checks of what it registers;
* ``verification``: the organization status table and ``organization_set_status``;
* ``membership``: invitations, requests to join, decisions, leaving;
* ``volunteers``: real-name volunteer registration;
* ``common``: who administers an organization, whom to tell, the role groups.

Import from the module that owns a name; this package re-exports nothing.
"""
