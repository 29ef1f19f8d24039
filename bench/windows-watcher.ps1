# Measures the Windows event watcher on a real Windows machine (it cannot run on the project's Linux
# machines, so the README's Numbers row for it is an estimate until someone runs this):
#   powershell -NoProfile -ExecutionPolicy Bypass -File bench\windows-watcher.ps1 [-IdleSeconds 600]
# Run it as an administrator: it adds and removes a throw-away Uninstall key under HKLM to time
# "key written -> protocol line". It prints the watcher's working set and CPU after starting, after
# the idle wait, and the notification latency. Nothing is sent anywhere.
param([int]$IdleSeconds = 600)
$ErrorActionPreference = 'Stop'

$script = Join-Path $PSScriptRoot '..\agent\triggers\windows\watch-events.ps1'
$psi = New-Object System.Diagnostics.ProcessStartInfo
$psi.FileName = Join-Path $env:SystemRoot 'System32\WindowsPowerShell\v1.0\powershell.exe'
$psi.Arguments = "-NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -File `"$script`""
$psi.UseShellExecute = $false
$psi.RedirectStandardOutput = $true
$psi.CreateNoWindow = $true
$child = [System.Diagnostics.Process]::Start($psi)
$child.PriorityClass = 'BelowNormal'

function Figures([string]$when) {
  $child.Refresh()
  '{0,-28} working set {1,6:N1} MB  private {2,6:N1} MB  CPU {3,7:N2} s' -f $when, ($child.WorkingSet64 / 1048576), ($child.PrivateMemorySize64 / 1048576), $child.TotalProcessorTime.TotalSeconds
}

$started = [Diagnostics.Stopwatch]::StartNew()
do { $ready = $child.StandardOutput.ReadLine(); if ($ready -like 'warn *') { $ready } } until ($null -eq $ready -or $ready -like 'ready *')
"ready after {0:N0} ms: {1}" -f $started.ElapsedMilliseconds, $ready
Figures 'after ready'
Start-Sleep -Seconds $IdleSeconds
Figures "after $IdleSeconds s idle"

$key = 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\OutpostWatcherBench'
$clock = [Diagnostics.Stopwatch]::StartNew()
New-Item -Path $key -Force | Out-Null
do { $line = $child.StandardOutput.ReadLine() } until ($line -like 'software registry hklm*')
"Uninstall key written -> '{0}' in {1:N0} ms" -f $line, $clock.ElapsedMilliseconds
Remove-Item -Path $key -Force
Figures 'after one event'
$child.Kill()
