# Presence only: puppetlabs-stdlib 5.2.0 has lib/puppet/parser/functions/enclose_ipv6.rb (orch implements some natively).
