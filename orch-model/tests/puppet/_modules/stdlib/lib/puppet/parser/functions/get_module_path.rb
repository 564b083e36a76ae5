# Presence only: puppetlabs-stdlib 5.2.0 has lib/puppet/parser/functions/get_module_path.rb (orch implements some natively).
