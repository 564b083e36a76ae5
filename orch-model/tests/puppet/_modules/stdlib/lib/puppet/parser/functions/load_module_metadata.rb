# Presence only: puppetlabs-stdlib 5.2.0 has lib/puppet/parser/functions/load_module_metadata.rb (orch implements some natively).
