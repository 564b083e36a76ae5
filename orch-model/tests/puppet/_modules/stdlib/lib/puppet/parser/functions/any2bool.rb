# Presence only: puppetlabs-stdlib 5.2.0 has lib/puppet/parser/functions/any2bool.rb (orch implements some natively).
