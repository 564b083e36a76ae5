define myapp::web($host = 'h') { }
MyApp::Web produces CAP { host => $host }
