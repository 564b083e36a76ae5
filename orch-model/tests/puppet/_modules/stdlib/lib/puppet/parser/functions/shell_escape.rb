# Presence only: puppetlabs-stdlib 5.2.0 has lib/puppet/parser/functions/shell_escape.rb (orch implements some natively).
