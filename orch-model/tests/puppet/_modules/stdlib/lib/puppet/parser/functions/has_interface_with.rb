# Presence only: puppetlabs-stdlib 5.2.0 has lib/puppet/parser/functions/has_interface_with.rb (orch implements some natively).
