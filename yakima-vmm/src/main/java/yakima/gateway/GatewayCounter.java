package yakima.gateway;

/**
 * What the gateway counts, host-wide: the connections it served, and every
 * refusal and drop by cause. Shown in the admin API's host counters and in
 * {@code /metrics} as {@code yakima_host_gateway_<name>_total}.
 */
public enum GatewayCounter {
    /** Client connections accepted on any port. */
    CONNECTIONS_ACCEPTED,
    /** Client connections joined to a VM's service. */
    CONNECTIONS_SPLICED,
    /** Refused: the gateway already holds its maximum of connections (front door: 503). */
    REFUSED_TOTAL_LIMIT,
    /** Refused: the VM already has its maximum of connections (front door: 503). */
    REFUSED_VM_LIMIT,
    /** Front door: 400, the request head was not HTTP the gateway can route. */
    HTTP_400_BAD_REQUEST,
    /** Front door: 404, the Host header names no VM. */
    HTTP_404_UNKNOWN_VM,
    /** Front door: 408, the request head did not arrive in time. */
    HTTP_408_HEADER_TIMEOUT,
    /** Front door: 431, the request head was longer than the limit. */
    HTTP_431_HEADER_TOO_LARGE,
    /** Front door: 502, the VM has ended, refused the connection, or reset it before answering. */
    HTTP_502_VM_DOWN,
    /** Front door: 504, the VM did not accept the connection in time. */
    HTTP_504_VM_TIMEOUT,
    /** A forward's VM does not exist or has ended: the client's connection is closed. */
    FORWARD_UNKNOWN_VM,
    /** A forward's VM refused or did not accept the connection. */
    FORWARD_VM_UNREACHABLE,
    /** The endpoint had no free local port for a new connection. */
    ENDPOINT_PORTS_EXHAUSTED,
    /** Connections closed because no byte moved either way for the idle timeout. */
    IDLE_TIMEOUTS,
    /** Clients dropped because they read nothing of their response for the write-stall timeout. */
    WRITE_STALL_TIMEOUTS,
    /** Established connections the VM reset, or whose retransmissions gave up. */
    GUEST_RESETS,
    /** Bytes from clients into VMs. */
    BYTES_TO_VMS,
    /** Bytes from VMs to clients. */
    BYTES_FROM_VMS,
    /** Times a connection paused because its VM's ingress token buckets were empty. */
    RATE_LIMITED_PAUSES,
    /** Datagrams relayed from clients into VMs. */
    UDP_DATAGRAMS_TO_VMS,
    /** Datagrams relayed from VMs to clients. */
    UDP_DATAGRAMS_FROM_VMS,
    /** Datagrams dropped: the VM's ingress token buckets were empty. */
    UDP_DROPPED_RATE_LIMIT,
    /** Datagrams dropped: the flow table was full. */
    UDP_DROPPED_FLOWS_FULL,
    /** Datagrams dropped: the forward's VM does not exist or has ended. */
    UDP_DROPPED_UNKNOWN_VM,
    /** Datagrams dropped: the endpoint could not send them (too long, queue full). */
    UDP_DROPPED_SEND_FAILED
}
