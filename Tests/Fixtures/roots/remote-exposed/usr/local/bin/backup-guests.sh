#!/bin/sh
URI='qemu+tls://lab9.example.org/system?no_verify=1&pkipath=/root/pki'
for g in $(virsh -c "$URI" list --name); do virsh -c "$URI" backup-begin "$g"; done
