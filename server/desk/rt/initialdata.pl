# Request Tracker 5 initialdata for Outpost: the custom fields the connector reads and writes.
# Load it once into an existing RT (as root, on the RT host):
#   rt-setup-database-5 --action insert --datafile server/desk/rt/initialdata.pl
# The names here are the connector's defaults; an admin who renames a field must set the same
# name in Outpost's desk settings. See README.md beside this file.

@CustomFields = (
    # The idempotency key Outpost gives every ticket it creates, so a retried create finds the
    # ticket made by the first attempt instead of making a second one.
    {   Name        => 'Outpost Key',
        Type        => 'FreeformSingle',
        LookupType  => 'RT::Queue-RT::Ticket',
        Description => 'Set by Outpost; do not edit',
    },
    # The same for replies, comments and worklogs (transaction custom field).
    {   Name        => 'Outpost Note Key',
        Type        => 'FreeformSingle',
        LookupType  => 'RT::Queue-RT::Ticket-RT::Transaction',
        Description => 'Set by Outpost; do not edit',
    },
    # Endpoint details on assets in the built-in "General assets" catalog.
    map {
        {   Name       => $_->[0],
            Type       => $_->[1],
            LookupType => 'RT::Catalog-RT::Asset',
            ApplyTo    => 'General assets',
            Description => $_->[2],
        }
    } (
        [ 'Service Tag',        'FreeformSingle',   'System serial number / service tag' ],
        [ 'MAC Addresses',      'FreeformMultiple', 'Physical network adapters, lower case aa:bb:cc:dd:ee:ff' ],
        [ 'OS',                 'FreeformSingle',   'Operating system and version' ],
        [ 'Model',              'FreeformSingle',   'Manufacturer and model' ],
        [ 'Last Seen',          'FreeformSingle',   'When Outpost last heard from the device (UTC, ISO 8601)' ],
        [ 'Logged-on User',     'FreeformSingle',   'Account logged on at the last scan' ],
        [ 'Outpost Device ID',  'FreeformSingle',   'Set by Outpost; do not edit' ],
    ),
);

1;
