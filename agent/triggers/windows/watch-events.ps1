# Outpost's Windows event watcher. The agent runs it as one long-lived, below-normal-priority child
# (Windows PowerShell 5.1) and reads one line per change from its standard output. The line protocol
# is documented in agent/triggers/WATCH-PROTOCOL.md; the agent's parser is agent/triggers/watch-protocol.ts.
#
# Everything here is event-driven: WMI registry events (RegistryTreeChangeEvent, delivered by the
# registry provider from RegNotifyChangeKeyValue, no polling) and event-log subscriptions
# (EventLogWatcher). While nothing changes the script sleeps in Wait-Event and uses no CPU.
#
# NOT RUN on a real Windows machine by the Outpost team yet: see the README's Windows section.

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
[Console]::OutputEncoding = New-Object System.Text.UTF8Encoding $false

function Say([string]$line) {
  [Console]::Out.WriteLine($line)
  [Console]::Out.Flush()
}

# One line, no line breaks, so a message can never forge a second protocol line.
function Warn([string]$text) {
  Say ('warn ' + ($text -replace '[\r\n\t]+', ' '))
}

# WQL string literals need their backslashes doubled (RegistryTreeChangeEvent's documented remark).
$Uninstall = 'SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall'
$Uninstall32 = 'SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall'
$Watched = @{}

function Watch-Tree([string]$Hive, [string]$RootPath, [string]$Id) {
  if ($Watched.ContainsKey($Id)) { return }
  $query = "SELECT * FROM RegistryTreeChangeEvent WHERE Hive='$Hive' AND RootPath='$RootPath'"
  try {
    Register-WmiEvent -Namespace 'root\default' -Query $query -SourceIdentifier "outpost-reg:$Id" -MessageData "software registry $Id" | Out-Null
    $Watched[$Id] = $true
  } catch {
    # A user hive without an Uninstall key (nobody installed per-user software) cannot be watched;
    # the next logon looks again.
    Warn "cannot watch $Id"
  }
}

# Interactive users' hives under HKEY_USERS: local and domain accounts (S-1-5-21-...) and Entra ID
# accounts (S-1-12-1-...). *_Classes hives and service accounts are skipped.
function Sync-UserHives {
  $sids = @(Get-ChildItem -Path 'Registry::HKEY_USERS' -ErrorAction SilentlyContinue |
    ForEach-Object { $_.PSChildName } |
    Where-Object { $_ -match '^S-1-(5-21|12-1)-[0-9-]+$' })
  foreach ($sid in $sids) { Watch-Tree 'HKEY_USERS' "$sid\\$Uninstall" "hku:$sid" }
  foreach ($id in @($Watched.Keys)) {
    if ($id -like 'hku:*' -and $sids -notcontains $id.Substring(4)) {
      Unregister-Event -SourceIdentifier "outpost-reg:$id" -ErrorAction SilentlyContinue
      $Watched.Remove($id)
    }
  }
}

# Event-log subscriptions: each record written to the channel becomes one protocol line.
function Watch-Log([string]$Channel, [string]$XPath, [string]$Id) {
  try {
    $query = New-Object System.Diagnostics.Eventing.Reader.EventLogQuery($Channel, [System.Diagnostics.Eventing.Reader.PathType]::LogName, $XPath)
    $watcher = New-Object System.Diagnostics.Eventing.Reader.EventLogWatcher($query)
    Register-ObjectEvent -InputObject $watcher -EventName EventRecordWritten -SourceIdentifier "outpost-log:$Id" | Out-Null
    $watcher.Enabled = $true
    return $watcher
  } catch {
    Warn "cannot watch $Id"
    return $null
  }
}

Watch-Tree 'HKEY_LOCAL_MACHINE' $Uninstall 'hklm'
Watch-Tree 'HKEY_LOCAL_MACHINE' $Uninstall32 'hklm32'
Sync-UserHives
# MSIX/Appx installs, updates and removals are logged by the AppX deployment service.
$appx = Watch-Log 'Microsoft-Windows-AppXDeploymentServer/Operational' '*' 'appx'
# Session logon (21), shell start (22), logoff (23), disconnect (24), reconnect (25).
$sessions = Watch-Log 'Microsoft-Windows-TerminalServices-LocalSessionManager/Operational' '*[System[(EventID>=21 and EventID<=25)]]' 'sessions'
Say "ready 1 registry=$($Watched.Count) appx=$([int]($null -ne $appx)) sessions=$([int]($null -ne $sessions))"

$SessionEvents = @{ 21 = 'logon'; 22 = 'logon'; 23 = 'logoff'; 24 = 'disconnect'; 25 = 'reconnect' }

while ($true) {
  # $ev, not $event: $Event is an automatic variable in PowerShell.
  $ev = Wait-Event
  if ($null -eq $ev) { continue }
  $source = [string]$ev.SourceIdentifier
  try {
    if ($source -like 'outpost-reg:*') {
      Say ([string]$ev.MessageData)
    } elseif ($source -eq 'outpost-log:appx') {
      Say 'software appx'
    } elseif ($source -eq 'outpost-log:sessions') {
      $record = $ev.SourceEventArgs.EventRecord
      $kind = $SessionEvents[[int]$record.Id]
      if ($null -eq $kind) { $kind = 'change' }
      Say "session $kind"
      # A logon loads the user's hive, a logoff unloads it: follow them.
      Sync-UserHives
    }
  } catch {
    Warn $_.Exception.Message
  } finally {
    Remove-Event -EventIdentifier $ev.EventIdentifier -ErrorAction SilentlyContinue
  }
}
