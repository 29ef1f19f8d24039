# Request Tracker 5 initialdata for Outpost: the custom fields the connector reads and writes.
# Load it once into an existing RT (as root, on the RT host):
#   rt-setup-database-5 --action insert --datafile server/desk/rt/initialdata.pl
# The names here are the connector's defaults; an admin who renames a field must set the same
# name in Outpost's desk settings. See README.md beside this file.

# The fleet's software catalog: one asset per package name (the connector's softwareCatalog), and
# the software packages IT can deploy from Outpost's package store (packageCatalog).
@Catalogs = (
    {   Name        => 'Outpost software',
        Description => 'Software installed across the fleet, kept by Outpost',
        Lifecycle   => 'assets',
    },
    {   Name        => 'Outpost packages',
        Description => "Software packages in Outpost's package store, deployable to devices",
        Lifecycle   => 'assets',
    },
);

@CustomFields = (
    # The idempotency key Outpost gives every ticket it creates, so a retried create finds the
    # ticket made by the first attempt instead of making a second one.
    {   Name        => 'Outpost Key',
        Type        => 'FreeformSingle',
        LookupType  => 'RT::Queue-RT::Ticket',
        Description => 'Set by Outpost; do not edit',
    },
    # A self-service request's approval (Get software in the tray): IT picks approved or rejected;
    # Outpost reads it every few minutes and deploys, or tells the person why not (the last reply).
    {   Name        => 'Outpost approval',
        Type        => 'SelectSingle',
        LookupType  => 'RT::Queue-RT::Ticket',
        Description => 'approved: Outpost installs the package asked for; rejected: the requester sees your last reply',
        Values      => [ { Name => 'approved', SortOrder => 1 }, { Name => 'rejected', SortOrder => 2 } ],
    },
    # The same for replies, comments and worklogs (transaction custom field).
    {   Name        => 'Outpost Note Key',
        Type        => 'FreeformSingle',
        LookupType  => 'RT::Queue-RT::Ticket-RT::Transaction',
        Description => 'Set by Outpost; do not edit',
    },
    # Endpoint details on assets in the built-in "General assets" catalog. (Each map in its own
    # parentheses: a bare map would take the next map's records as its own list.)
    (map {
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
        [ 'CPU',                'FreeformSingle',   'Processor and cores' ],
        [ 'Memory',             'FreeformSingle',   'Installed memory' ],
        [ 'Disks',              'FreeformMultiple', 'One value per disk: model, size, serial' ],
        [ 'OS Build',           'FreeformSingle',   'Operating system build (Linux: kernel)' ],
        [ 'BIOS',               'FreeformSingle',   'BIOS vendor, version and date' ],
        [ 'Disk Encryption',    'FreeformSingle',   'on, partial or off over fixed volumes, with the methods seen' ],
        [ 'Volumes',            'FreeformMultiple', 'One value per volume: mount point, free space in whole percent, size' ],
        # A text area (one value, RT keeps long text in LargeContent): one "name version" line per
        # package. One value rather than a value or a linked asset per package: a change to the
        # list is one transaction, not one per package.
        [ 'Software',           'TextSingle',       'Installed software, one "name version" per line' ],
    )),
    # Package details on assets in the "Outpost software" catalog.
    (map {
        {   Name       => $_->[0],
            Type       => $_->[1],
            LookupType => 'RT::Catalog-RT::Asset',
            ApplyTo    => 'Outpost software',
            Description => $_->[2],
        }
    } (
        [ 'Publisher',     'FreeformSingle',   'The publisher most devices report' ],
        [ 'Versions',      'FreeformMultiple', 'Versions installed, with how many devices have each' ],
        [ 'Installations', 'FreeformSingle',   'Devices with the package installed' ],
    )),
);

1;
