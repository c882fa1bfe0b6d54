package org.ketcd.rest.gateway;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import io.etcd.jetcd.api.ResponseHeader;

/**
 * etcd's LeaseLeases messages, which jetcd's generated classes lack, described at run time from
 * etcd's rpc.proto so the gateway prints them like every other message:
 * {@code LeaseLeasesRequest {}}, {@code LeaseStatus { int64 ID = 1; }},
 * {@code LeaseLeasesResponse { ResponseHeader header = 1; repeated LeaseStatus leases = 2; }}.
 */
final class LeaseLeasesMessages {
    static final DynamicMessage REQUEST;
    static final DynamicMessage RESPONSE;

    static {
        Descriptors.FileDescriptor rpc = ResponseHeader.getDescriptor().getFile();
        FileDescriptorProto file = FileDescriptorProto.newBuilder()
                .setName("ketcd/lease_leases.proto").setPackage(rpc.getPackage()).setSyntax("proto3")
                .addDependency(rpc.getName())
                .addMessageType(DescriptorProto.newBuilder().setName("LeaseLeasesRequest"))
                .addMessageType(DescriptorProto.newBuilder().setName("LeaseStatus")
                        .addField(field("ID", 1, FieldDescriptorProto.Type.TYPE_INT64, null, false)))
                .addMessageType(DescriptorProto.newBuilder().setName("LeaseLeasesResponse")
                        .addField(field("header", 1, FieldDescriptorProto.Type.TYPE_MESSAGE,
                                "." + ResponseHeader.getDescriptor().getFullName(), false))
                        .addField(field("leases", 2, FieldDescriptorProto.Type.TYPE_MESSAGE,
                                "." + rpc.getPackage() + ".LeaseStatus", true)))
                .build();
        try {
            Descriptors.FileDescriptor built = Descriptors.FileDescriptor.buildFrom(file, new Descriptors.FileDescriptor[] {rpc});
            REQUEST = DynamicMessage.getDefaultInstance(built.findMessageTypeByName("LeaseLeasesRequest"));
            RESPONSE = DynamicMessage.getDefaultInstance(built.findMessageTypeByName("LeaseLeasesResponse"));
        } catch (Descriptors.DescriptorValidationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private LeaseLeasesMessages() {
    }

    private static FieldDescriptorProto field(String name, int number, FieldDescriptorProto.Type type, String typeName,
                                              boolean repeated) {
        FieldDescriptorProto.Builder f = FieldDescriptorProto.newBuilder().setName(name).setNumber(number).setType(type)
                .setJsonName(name)
                .setLabel(repeated ? FieldDescriptorProto.Label.LABEL_REPEATED : FieldDescriptorProto.Label.LABEL_OPTIONAL);
        if (typeName != null) {
            f.setTypeName(typeName);
        }
        return f.build();
    }
}
