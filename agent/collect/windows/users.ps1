# Outpost: who is signed in to this Windows machine, for agent/collect/users-windows.ts.
#   '#quser', then quser's output as it is: every session, disconnected ones too (quser.exe is
#   missing on Home editions; then this part is empty).
#   '#owners', then one line per explorer.exe: "<session id>`t<domain>`t<user>", because quser
#   prints no domain and a domain user must not be confused with a local one of the same name.
# NOT RUN on a real Windows machine by the Outpost team yet: see the README's Windows section.
$ErrorActionPreference = 'Continue'
'#quser'
$quser = Join-Path $env:SystemRoot 'System32\quser.exe'
if (Test-Path -LiteralPath $quser) { & $quser 2>$null }
'#owners'
Get-CimInstance -ClassName Win32_Process -Filter "Name='explorer.exe'" | ForEach-Object {
  $owner = Invoke-CimMethod -InputObject $_ -MethodName GetOwner
  if ($owner.ReturnValue -eq 0) { "{0}`t{1}`t{2}" -f $_.SessionId, $owner.Domain, $owner.User }
}
