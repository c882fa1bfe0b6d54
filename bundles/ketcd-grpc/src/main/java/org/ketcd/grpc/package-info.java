package org.ketcd.grpc;
