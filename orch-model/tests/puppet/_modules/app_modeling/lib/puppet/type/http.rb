# Rewritten to the shape of app_modeling's type: a capability with these parameters.
Puppet::Type.newtype(:http, :is_capability => true) do
  newparam(:name, :namevar => true)
  newparam(:port)
  newparam(:ip)
  newparam(:host)
  newparam(:ssl)
  newparam(:base_path)
  newparam(:timeout)
  newparam(:ping_interval)
  newparam(:status_codes)
end
