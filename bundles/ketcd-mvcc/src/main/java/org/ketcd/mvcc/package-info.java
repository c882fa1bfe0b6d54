package org.ketcd.mvcc;
