# Outpost: volumes, monitors, printers, local accounts and groups, and security posture of this
# Windows machine, for agent/collect/breadth/windows.ts. Each part is '#name' then the JSON of the
# documented cmdlet or WMI class, untouched (decoding happens in TypeScript, where it is tested):
#   volumes    Win32_LogicalDisk (DriveType 3: local fixed disks)       DeviceID, FileSystem, VolumeName, Size, FreeSpace
#   bitlocker  Get-BitLockerVolume                                      MountPoint, VolumeType, ProtectionStatus
#   monitors   root\wmi WmiMonitorID                                    ManufacturerName, UserFriendlyName, SerialNumberID (UInt16 arrays)
#   printers   Get-Printer                                              Name, DriverName, PortName, Shared, plus the default from Win32_Printer
#   accounts   Get-LocalUser                                            Name, FullName, SID, Enabled
#   groups     Get-LocalGroup + Get-LocalGroupMember                    Name, SID, Members
#   firewall   Get-NetFirewallProfile                                   Name, Enabled
#   antivirus  root\SecurityCenter2 AntiVirusProduct                    displayName, productState (client Windows only)
#   reboot     the RebootPending / RebootRequired keys and PendingFileRenameOperations
#   updates    Microsoft.Update.Session, offline search of the cached scan; AutoUpdate last install date
# A part that fails prints nothing after its marker. NOT RUN on a real Windows machine by the Outpost
# team yet: see the README's Windows section.
$ErrorActionPreference = 'SilentlyContinue'
function Part($name, $block) { "#$name"; try { & $block | ConvertTo-Json -Depth 4 -Compress } catch { } }
Part volumes { Get-CimInstance -ClassName Win32_LogicalDisk -Filter 'DriveType=3' | Select-Object DeviceID, FileSystem, VolumeName, Size, FreeSpace }
Part bitlocker { Get-BitLockerVolume | Select-Object MountPoint, VolumeType, @{n='ProtectionStatus';e={[string]$_.ProtectionStatus}} }
Part monitors { Get-CimInstance -Namespace root\wmi -ClassName WmiMonitorID | Select-Object ManufacturerName, UserFriendlyName, SerialNumberID }
Part printers { Get-CimInstance -ClassName Win32_Printer | Select-Object Name, DriverName, PortName, Shared, Default }
Part accounts { Get-LocalUser | Select-Object Name, FullName, @{n='SID';e={$_.SID.Value}}, Enabled }
Part groups { Get-LocalGroup | ForEach-Object { [pscustomobject]@{ Name = $_.Name; SID = $_.SID.Value; Members = @(Get-LocalGroupMember -Group $_ | ForEach-Object { $_.Name }) } } }
Part firewall { Get-NetFirewallProfile | Select-Object Name, @{n='Enabled';e={[bool]$_.Enabled}} }
Part antivirus { Get-CimInstance -Namespace root\SecurityCenter2 -ClassName AntiVirusProduct | Select-Object displayName, productState }
Part reboot {
  [pscustomobject]@{
    ComponentBasedServicing = Test-Path 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending'
    WindowsUpdate = Test-Path 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Auto Update\RebootRequired'
    PendingFileRename = $null -ne (Get-ItemProperty 'HKLM:\SYSTEM\CurrentControlSet\Control\Session Manager').PendingFileRenameOperations
  }
}
Part updates {
  $searcher = (New-Object -ComObject Microsoft.Update.Session).CreateUpdateSearcher()
  $searcher.Online = $false
  $last = (New-Object -ComObject Microsoft.Update.AutoUpdate).Results.LastInstallationSuccessDate
  [pscustomobject]@{ Pending = $searcher.Search('IsInstalled=0 and IsHidden=0 and Type=''Software''').Updates.Count; LastInstall = if ($last) { $last.ToUniversalTime().ToString('o') } else { $null } }
}
